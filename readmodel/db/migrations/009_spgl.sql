-- Issue 15, the SPGL data exchange (工程建设项目审批管理系统数据共享交换): the rows offered to the
-- provincial platform, incremental by update time, and the exchange log (docs/spgl.md).

-- One row per DFSJZJ of a table as we offer it. A correction keeps the earlier row (re-offered
-- with SJYXBS 0 and its reason) and adds the new content under a new key (`<key>~<version>`).
CREATE TABLE spgl_rows (
  table_name      text NOT NULL,
  -- DFSJZJ as sent.
  row_key         text NOT NULL,
  -- The exporter's stable key of the thing the row reports (readmodel/spgl/export.ts); equal to row_key for version 1.
  base_key        text NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  -- Null for the process version's rows (DFXMSPLC*), shared by every application on the snapshot.
  application_id  text,
  -- The row as offered, GXSJ and SJYXBS included.
  row             jsonb NOT NULL,
  -- sha256 of the content without GXSJ, SJYXBS, SJWXYY, SBYY: what decides "changed".
  content_hash    text NOT NULL,
  -- GXSJ as an instant: when we last changed the row; the pull's cursor is (gxsj, row_key).
  gxsj            timestamptz NOT NULL,
  sjyxbs          smallint NOT NULL CHECK (sjyxbs IN (0, 1)),
  -- offered: the platform may pull it; refused: the checker or the receiver refused it, not offered until corrected.
  status          text NOT NULL CHECK (status IN ('offered', 'refused')),
  refused_by      text CHECK (refused_by IN ('checker', 'receiver')),
  first_sent_at   timestamptz,
  PRIMARY KEY (table_name, row_key)
);
CREATE INDEX spgl_rows_changes ON spgl_rows (table_name, gxsj, row_key) WHERE status = 'offered';
CREATE INDEX spgl_rows_by_application ON spgl_rows (application_id, table_name);

-- The read-model seq each application was last exported at: a pull exports only applications that moved.
CREATE TABLE spgl_synced (
  application_id  text PRIMARY KEY REFERENCES applications ON DELETE CASCADE,
  seq             integer NOT NULL,
  synced_at       timestamptz NOT NULL
);

-- What was offered, refused (by our checker or the receiver) and why, re-sent or invalidated.
CREATE TABLE spgl_exchange_log (
  id              bigserial PRIMARY KEY,
  -- One export run (a sync of one application) or one receipt.
  batch_id        uuid NOT NULL,
  table_name      text NOT NULL,
  row_key         text NOT NULL,
  action          text NOT NULL CHECK (action IN ('sent', 'refused', 'resent', 'invalidated')),
  by              text CHECK (by IN ('checker', 'receiver')),
  reason          text,
  at              timestamptz NOT NULL
);
CREATE INDEX spgl_exchange_log_by_row ON spgl_exchange_log (table_name, row_key, id);

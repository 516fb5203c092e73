import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/environment';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/approvals' };

describe('the SPGL settings', () => {
  it('default to 浏阳市 and a ten-second background export, and refuse a bad value naming the variable at start-up', () => {
    expect(loadConfig(base)).toMatchObject({ SPGL_REGION_CODE: '430181', SPGL_SYNC_INTERVAL_MS: 10_000 });
    expect(loadConfig({ ...base, SPGL_REGION_CODE: '330102', SPGL_SYNC_INTERVAL_MS: '0' })).toMatchObject({ SPGL_REGION_CODE: '330102', SPGL_SYNC_INTERVAL_MS: 0 });
    for (const bad of ['43018', '4301811', '43O181', '']) expect(() => loadConfig({ ...base, SPGL_REGION_CODE: bad })).toThrow(/SPGL_REGION_CODE: must be a six-digit/);
    for (const bad of ['-1', '1.5', 'soon', '3600001']) expect(() => loadConfig({ ...base, SPGL_SYNC_INTERVAL_MS: bad })).toThrow(/SPGL_SYNC_INTERVAL_MS: /);
  });
});

/**
 * The SPGL data-exchange tables (工程建设项目审批管理系统数据共享交换, table names SPGL_*): each
 * table's fields, their types, which we treat as required and which code list a value must come
 * from. Field names were read from the open-source aplan system's `aplanmis-data-exchange`
 * module (laughing1990/aplan-fork on GitHub; each table names the file); nothing is copied from
 * it. Where that source does not show a thing (a code list's values, whether a field is
 * mandatory), the doc line says so and the value here is ours, marked provisional.
 */

import { SHANGHAI_OFFSET_MS } from '../../domain/time';

export type FieldType = 'string' | 'integer' | 'number' | 'date' | 'datetime';

export interface FieldSpec {
  name: string;
  /** The standard's Chinese name. */
  label: string;
  type: FieldType;
  /** The checker refuses a row without it. */
  required: boolean;
  codeList?: CodeListName;
  doc: string;
}

export interface TableSpec {
  name: SpglTableName;
  label: string;
  /** The aplan file the fields were read from. */
  source: string;
  /** The field that identifies a row (地方数据主键, the local system's key). */
  key: 'DFSJZJ';
  fields: FieldSpec[];
}

export interface CodeList {
  label: string;
  /**
   * Whether the values were seen in the code of systems that report to the platform (aplan's views,
   * enums and entity comments, corroborated where noted by other vendors' exporters; docs/spgl.md
   * names the files) or are ours until checked against the standard's appendix.
   */
  provenance: 'aplan' | 'provisional';
  values: Record<string, string>;
  /** Values of a list seen in one source only, or whose label we inferred: to be checked against the appendix. */
  unconfirmed?: readonly string[];
}

export const CODE_LISTS = {
  SJYXBS: { label: '数据有效标识', provenance: 'aplan', values: { '1': '有效', '0': '无效' } },
  SPJDXH: {
    label: '审批阶段（标准阶段序号）',
    provenance: 'aplan',
    values: { '1': '立项用地规划许可', '2': '工程建设许可', '3': '施工许可', '4': '竣工验收', '5': '并行推进' },
  },
  BLZT: {
    label: '办理状态',
    provenance: 'aplan',
    values: {
      '1': '收件',
      '2': '撤件',
      '3': '受理',
      '4': '不受理',
      '5': '不予受理',
      '6': '补正（开始）',
      '7': '补正（结束）',
      '8': '部门受理',
      '9': '特别程序（开始）',
      '10': '特别程序（结束）',
      '11': '办结（通过）',
      '12': '办结（容缺通过）',
      '13': '办结（不通过）',
      '14': '撤回',
      '15': '撤销',
    },
    unconfirmed: ['2', '4', '12', '14', '15'],
  },
  TBCX: {
    label: '特别程序（种类）',
    provenance: 'provisional',
    values: { '2': '现场勘查', '3': '专家评审', '4': '听证', '5': '公示', '8': '其他' },
  },
  SXLX: { label: '时限类型', provenance: 'aplan', values: { '1': '工作日', '2': '自然日' }, unconfirmed: ['2'] },
  SLFS: { label: '受理方式', provenance: 'aplan', values: { '1': '窗口受理', '4': '网上受理' } },
  GKFS: { label: '公开方式', provenance: 'provisional', values: { '1': '主动公开', '2': '依申请公开', '3': '不公开' } },
  SPLCLX: {
    label: '审批流程类型',
    provenance: 'aplan',
    values: {
      '1': '政府投资工程建设项目（房屋建筑类）',
      '2': '政府投资工程建设项目（线性工程类）',
      '3': '一般社会投资项目',
      '4': '小型社会投资项目',
      '5': '带方案出让用地的社会投资项目',
      '6': '工业类投资项目',
      '7': '交通工程类项目',
      '8': '水利工程类项目',
      '9': '能源工程类项目',
      '10': '其他',
    },
  },
  DWLX: {
    label: '项目单位类型',
    provenance: 'aplan',
    values: { '1': '建设单位', '2': '施工单位', '3': '勘察单位', '4': '设计单位', '5': '监理单位', '6': '代建单位', '7': '其他（经办）单位' },
    unconfirmed: ['1', '2', '3', '4', '5', '6', '7'],
  },
  ZJFWBLZT: {
    label: '中介服务办理状态',
    provenance: 'provisional',
    values: { '1': '委托', '2': '提交成果', '3': '退回修改', '4': '成果确认', '5': '终止（更换机构）', '6': '撤销（不再需要）' },
  },
  SFBJ: { label: '是否（项目完全办结等）', provenance: 'aplan', values: { '0': '否', '1': '是' } },
} as const satisfies Record<string, CodeList>;

export type CodeListName = keyof typeof CODE_LISTS;

/** The handling-step codes (BLZT) the exporter reports; docs/spgl.md maps each to the engine's state. */
export const HANDLING_STEP = {
  received: 1,
  accepted: 3,
  supplementStarted: 6,
  supplementEnded: 7,
  procedureStarted: 9,
  procedureEnded: 10,
  approved: 11,
  approvedWithDeferred: 12,
  rejected: 13,
  withdrawn: 14,
  revoked: 15,
} as const;

/** The steps a matter's clock stop shows as: 补正 6 and 7 for a supplement; 特别程序 9 and 10 for any other (a special procedure, a hold, a rectification). */
export const stopStepCodes = (kind: 'supplement' | 'specialProcedure' | 'rectification' | 'hold') =>
  kind === 'supplement' ? { start: HANDLING_STEP.supplementStarted, end: HANDLING_STEP.supplementEnded } : { start: HANDLING_STEP.procedureStarted, end: HANDLING_STEP.procedureEnded };

const f = (name: string, label: string, type: FieldType, required: boolean, doc: string, codeList?: CodeListName): FieldSpec => ({
  name,
  label,
  type,
  required,
  doc,
  ...(codeList ? { codeList } : {}),
});

const APLAN = 'laughing1990/aplan-fork: aplanmis-data-exchange/src/main/java/com/augurit/aplanmis/data/exchange/domain/spgl/';
const VIEWS = 'laughing1990/aplan-fork: aplanmis-data-exchange/sql/审批系统视图-mysql_4.0.sql';

/** The fields every table carries (aplan: domain/base/SpglEntity.java and each entity's tail). */
const local = f('DFSJZJ', '地方数据主键', 'string', true, 'The local system\'s key of the row; a correction is a new row with a new key (aplan: SpglEntity).');
const validity = [
  f('SJYXBS', '数据有效标识', 'integer', true, '1 valid, 0 invalid: a correction invalidates the row it replaces.', 'SJYXBS'),
  f('SJWXYY', '数据无效原因', 'string', false, 'Why the row was invalidated; required with SJYXBS = 0 (checked).'),
  f('SBYY', '失败原因', 'string', false, 'aplan names it 失败原因: the receiver\'s reason for refusing the row; empty on export.'),
  f('GXSJ', '更新时间', 'datetime', true, 'When the row last changed: the exporter puts the instant of the state change it reports; the stored exchange (store.ts) the instant we changed the row, so a pull by GXSJ misses nothing.'),
];
const region = f('XZQHDM', '行政区划代码', 'string', true, 'Six-digit administrative division of the reporting system.');
const projectCode = f('GCDM', '工程代码', 'string', true, 'The project (engineering) code the row belongs to; must exist in XMJBXXB.');
const matterInstance = f('SPSXSLBM', '审批事项实例编码', 'string', true, 'One matter of one application; must exist in XMSPSXBLXXB.');

export const TABLES = {
  DFXMSPLCXXB: {
    name: 'DFXMSPLCXXB',
    label: '地方项目审批流程信息表',
    source: `${APLAN}SpglDfxmsplcxxb.java; fields as selected in ${VIEWS} (3.3.1)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('SPLCBM', '审批流程编码', 'string', true, 'The process code.'),
      f('SPLCMC', '审批流程名称', 'string', true, 'The process name.'),
      f('SPLCBBH', '审批流程版本号', 'number', true, 'The process version.'),
      f('SPLCSXSJ', '审批流程生效时间', 'datetime', false, 'When the version took effect.'),
      f('SPLCLX', '审批流程类型', 'integer', true, 'National process type.', 'SPLCLX'),
      f('SPLCSM', '审批流程说明', 'string', false, 'Free text.'),
      f('FJMC', '附件名称', 'string', false, 'Attachment file name.'),
      f('FJLX', '附件类型', 'string', false, 'Attachment file type.'),
      f('FJID', '附件ID', 'string', false, 'Attachment address.'),
      ...validity,
    ],
  },
  DFXMSPLCJDXXB: {
    name: 'DFXMSPLCJDXXB',
    label: '地方项目审批流程阶段信息表',
    source: `${APLAN}SpglDfxmsplcjdxxb.java; fields as selected in ${VIEWS} (3.3.2)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('SPLCBM', '审批流程编码', 'string', true, 'The process the stage belongs to.'),
      f('SPLCBBH', '审批流程版本号', 'number', true, 'Its version.'),
      f('SPJDBM', '审批阶段编码', 'string', true, 'The local stage code.'),
      f('SPJDMC', '审批阶段名称', 'string', true, 'The stage name.'),
      f('SPJDXH', '审批阶段序号', 'integer', true, 'Order of the stage within the process.'),
      f('DYBZSPJDXH', '对应标准审批阶段序号', 'integer', true, 'The standard stage it corresponds to (5: 并行推进).', 'SPJDXH'),
      f('SPJDSX', '审批阶段时限', 'integer', false, 'The stage\'s limit.'),
      f('LCBSXLX', '里程碑事项类型', 'integer', false, 'aplan writes 2 for its virtual 并行推进 stage; values otherwise not shown.'),
      ...validity,
    ],
  },
  DFXMSPLCJDSXXXB: {
    name: 'DFXMSPLCJDSXXXB',
    label: '地方项目审批流程阶段事项信息表',
    source: `${APLAN}SpglDfxmsplcjdsxxxb.java; fields as selected in ${VIEWS} (3.3.3)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('SPLCBM', '审批流程编码', 'string', true, 'The process.'),
      f('SPLCBBH', '审批流程版本号', 'number', true, 'Its version.'),
      f('SPJDXH', '审批阶段序号', 'integer', true, 'The stage the matter belongs to (5 for a matter beside the stages).', 'SPJDXH'),
      f('SPSXBM', '审批事项编码', 'string', true, 'The local matter code.'),
      f('SPSXBBH', '审批事项版本号', 'number', true, 'Its version.'),
      f('SPSXMC', '审批事项名称', 'string', true, 'The matter name.'),
      f('DYBZSPSXBM', '对应标准审批事项编码', 'string', false, 'The national standard matter code: required for a real upload, not held by the catalogue yet.'),
      f('SFSXGZCNZ', '是否实行告知承诺制', 'integer', false, '0/1.', 'SFBJ'),
      f('BJLX', '办件类型', 'integer', false, 'aplan maps its item property to 3/4/5/6; meanings not shown.'),
      f('SQDX', '申请对象', 'string', false, 'aplan writes 6 for several or unknown; list not shown.'),
      f('BLJGSDFS', '办理结果送达方式', 'string', false, 'aplan defaults to "2,3"; list not shown.'),
      f('SPSXBLSX', '审批事项办理时限', 'integer', true, 'The legal limit in working days.'),
      f('SPBMBM', '审批部门编码', 'string', true, 'The owning department\'s code.'),
      f('SPBMMC', '审批部门名称', 'string', true, 'Its name.'),
      f('SFLCBSX', '是否里程碑事项', 'integer', false, '0/1.', 'SFBJ'),
      ...validity,
    ],
  },
  XMJBXXB: {
    name: 'XMJBXXB',
    label: '项目基本信息表',
    source: `${APLAN}SpglXmjbxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('XMDM', '项目代码', 'string', true, 'The investment project code (投资项目统一代码, YYYY-XXXXXX-NN-NN-NNNNNN) the applicant gave at start (projectCode); the application id when it gave none. GCDM is the same.'),
      f('XMMC', '项目名称', 'string', true, 'The project name.'),
      projectCode,
      f('GCFW', '工程范围', 'string', false, 'aplan writes the project name.'),
      f('QJDGCDM', '前阶段关联工程代码', 'string', false, 'The earlier phase\'s project code, if any.'),
      f('XMTZLY', '项目投资来源', 'integer', false, 'Not held by the orchestrator (project registry).'),
      f('TDHQFS', '土地获取方式', 'integer', false, 'Not held.'),
      f('TDSFDSJFA', '土地是否带设计方案', 'integer', false, 'Not held.', 'SFBJ'),
      f('SFWCQYPG', '是否完成区域评估', 'integer', false, '1 when the project lies in a zone whose regional assessment waived a service.', 'SFBJ'),
      f('SPLCLX', '审批流程类型', 'integer', true, 'From the process code.', 'SPLCLX'),
      f('LXLX', '立项类型', 'integer', false, 'Not held (审批/核准/备案).'),
      f('GCFL', '工程分类', 'integer', false, 'Not held.'),
      f('JSXZ', '建设性质', 'integer', false, 'Not held.'),
      f('XMZJSX', '项目资金属性', 'integer', false, 'Not held.'),
      f('GBHYDMFBND', '国标行业代码发布年代', 'string', false, 'Not held.'),
      f('GBHY', '国标行业', 'string', false, 'Not held.'),
      f('NKGSJ', '拟开工时间', 'date', false, 'Not held; aplan checks it is before NJCSJ (SpglCheckError 130), and so do we when both are given.'),
      f('NJCSJ', '拟建成时间', 'date', false, 'Not held.'),
      f('XMSFWQBJ', '项目是否完全办结', 'integer', true, '1 once the application is completed.', 'SFBJ'),
      f('XMWQBJSJ', '项目完全办结时间', 'datetime', false, 'When it completed; required when XMSFWQBJ = 1 (checked).'),
      f('ZTZE', '总投资额（万元）', 'number', false, 'Not held.'),
      f('JSDDXZQH', '建设地点行政区划', 'string', false, 'Not held; aplan falls back to 000000.'),
      f('JSDD', '建设地点', 'string', false, 'Not held.'),
      f('XMJSDDX', '项目建设地点X坐标', 'number', false, 'Not held.'),
      f('XMJSDDY', '项目建设地点Y坐标', 'number', false, 'Not held.'),
      f('JSGMJNR', '建设规模及内容', 'string', false, 'Not held.'),
      f('YDMJ', '用地面积', 'number', false, 'Not held.'),
      f('JZMJ', '建筑面积', 'number', false, 'Not held.'),
      f('SBSJ', '申报时间', 'datetime', true, 'When the application started.'),
      f('SPLCBM', '审批流程编码', 'string', true, 'The process code.'),
      f('SPLCBBH', '审批流程版本号', 'number', true, 'The process version: 1 until the catalogue numbers versions (its content hash is in DFSJZJ of the process rows).'),
      ...validity,
    ],
  },
  XMDWXXB: {
    name: 'XMDWXXB',
    label: '项目单位信息表',
    source: `${APLAN}SpglXmdwxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      f('XMDM', '项目代码', 'string', true, 'As in XMJBXXB.'),
      f('DWTYSHXYDM', '单位统一社会信用代码', 'string', true, 'The applicant\'s unified social credit code given at start (applicantCreditCode, its GB 32100-2015 check character checked); the applicant\'s id when none was given.'),
      f('DWMC', '单位名称', 'string', true, 'The applicant\'s name.'),
      f('DWLX', '单位类型', 'integer', true, 'Kind of unit (项目单位类型).', 'DWLX'),
      ...validity,
    ],
  },
  XMSPSXBLXXB: {
    name: 'XMSPSXBLXXB',
    label: '项目审批事项办理信息表',
    source: `${APLAN}SpglXmspsxblxxb.java (GCDM from domain/base/SpglInstEntity.java)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      f('SPSXBM', '审批事项编码', 'string', true, 'The matter code.'),
      f('SPSXBBH', '审批事项版本号', 'number', true, '1 until the catalogue numbers versions.'),
      f('SPLCBM', '审批流程编码', 'string', true, 'The process code.'),
      f('SPLCBBH', '审批流程版本号', 'number', true, 'As in XMJBXXB.'),
      f('SPSXSLBM', '审批事项实例编码', 'string', true, 'One matter of one application: `<application>/<matter>`.'),
      f('SPBMBM', '审批部门编码', 'string', true, 'The department\'s code.'),
      f('SPBMMC', '审批部门名称', 'string', true, 'Its name.'),
      f('SLFS', '受理方式', 'integer', true, 'Everything is received at the one window (一口受理): 1.', 'SLFS'),
      f('GKFS', '公开方式', 'integer', false, 'aplan defaults to 1.', 'GKFS'),
      f('BLSPSLBM', '并联审批实例编码', 'string', false, 'The stage instance when the stage has several matters: `<application>/<stage>`.'),
      f('SXBLSX', '事项办理时限', 'integer', true, 'The matter\'s limit in working days (with an approved extension).'),
      ...validity,
    ],
  },
  XMSPSXBLXXXXB: {
    name: 'XMSPSXBLXXXXB',
    label: '项目审批事项办理详细信息表',
    source: `${APLAN}SpglXmspsxblxxxxb.java (SPSXSLBM from domain/base/SpglItemInstEntity.java)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      matterInstance,
      f('BLCS', '办理处（科）室', 'string', true, 'The department (aplan falls back to the officer\'s name).'),
      f('BLR', '办理人', 'string', true, 'Who did it: the actor id.'),
      f('BLZT', '办理状态', 'integer', true, 'What happened at this step.', 'BLZT'),
      f('BLYJ', '办理意见', 'string', false, 'The reason or note given.'),
      f('BLSJ', '办理时间', 'datetime', true, 'When.'),
      ...validity,
    ],
  },
  XMSPSXPFWJXXB: {
    name: 'XMSPSXPFWJXXB',
    label: '项目审批事项批复文件信息表',
    source: `${APLAN}SpglXmspsxpfwjxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      matterInstance,
      f('PFRQ', '批复日期', 'date', true, 'Required once the matter is approved (aplan\'s entity comment).'),
      f('PFWH', '批复文号', 'string', true, 'The result\'s number.'),
      f('PFWJBT', '批复文件标题', 'string', true, 'The result\'s title.'),
      f('PFWJYXQX', '批复文件有效期限', 'date', true, '9999-01-01 when it does not expire (aplan\'s entity comment).'),
      f('FJMC', '附件名称', 'string', false, 'No files are held yet.'),
      f('FJLX', '附件类型', 'string', false, 'No files are held yet.'),
      f('FJID', '附件ID', 'string', false, 'No files are held yet.'),
      ...validity,
    ],
  },
  XMSPSXBLTBCXXXB: {
    name: 'XMSPSXBLTBCXXXB',
    label: '项目审批事项办理特别程序信息表',
    source: `${APLAN}SpglXmspsxbltbcxxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      matterInstance,
      f('TBCX', '特别程序', 'integer', true, 'Kind of special procedure; a hold or a rectification is 8 其他 (values not confirmed: see docs/spgl.md).', 'TBCX'),
      f('TBCXMC', '特别程序名称', 'string', true, 'Its name and the reason given.'),
      f('TBCXKSSJ', '特别程序开始时间', 'datetime', true, 'When the matter\'s clock stopped.'),
      f('TBCXSXLX', '特别程序时限类型', 'integer', true, 'Working or calendar days.', 'SXLX'),
      f('TBCXSX', '特别程序时限', 'integer', false, 'The expected working days the applicant was told (a special procedure); empty for a hold or a rectification. Its end is the handling step BLZT 10.'),
      ...validity,
    ],
  },
  ZJFWSXBLXXB: {
    name: 'ZJFWSXBLXXB',
    label: '中介服务事项办理信息表',
    source: `${APLAN}SpglZjfwsxblxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('XMDM', '项目代码', 'string', true, 'As in XMJBXXB.'),
      f('ZJFWSXMC', '中介服务事项名称', 'string', true, 'The service type\'s name.'),
      f('ZJFWSXBM', '中介服务事项编码', 'string', true, 'The service type\'s code.'),
      f('DYBZZJFWSXBM', '对应标准中介服务事项编码', 'string', false, 'Mapping to the national list not held yet.'),
      f('ZJFWSXSLBM', '中介服务事项实例编码', 'string', true, 'One contract: `<application>/<contract>`.'),
      f('SPSXSLBM', '审批事项实例编码', 'string', false, 'The first matter waiting for the deliverable that has been received; empty while none has. When given, must exist in XMSPSXBLXXB.'),
      f('BLSX', '办理时限', 'integer', true, 'The provider\'s committed days.'),
      f('SXLX', '时限类型', 'integer', true, 'Working or calendar days.', 'SXLX'),
      f('ZJJGDM', '中介机构代码', 'string', true, 'The provider\'s code.'),
      f('ZJJGMC', '中介机构名称', 'string', true, 'The provider\'s name.'),
      f('WTR', '委托人', 'string', false, 'Who commissioned it: the applicant, or 政府 for a government-commissioned service.'),
      f('WTRDM', '委托人代码', 'string', false, 'The applicant\'s id when it commissioned it.'),
      ...validity,
    ],
  },
  ZJFWSXBLGCXXB: {
    name: 'ZJFWSXBLGCXXB',
    label: '中介服务事项办理过程信息表',
    source: `${APLAN}SpglZjfwsxblgcxxb.java`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      f('XMDM', '项目代码', 'string', true, 'As in XMJBXXB.'),
      f('ZJFWSXSLBM', '中介服务事项实例编码', 'string', true, 'The contract; must exist in ZJFWSXBLXXB.'),
      f('BLZT', '办理状态', 'string', true, 'What happened (aplan types it as text).', 'ZJFWBLZT'),
      f('BLR', '办理人', 'string', true, 'Who did it.'),
      f('BLYJ', '办理意见', 'string', false, 'Note or reasons.'),
      f('BLSJ', '办理时间', 'datetime', true, 'When.'),
      f('FJMC', '附件名称', 'string', false, 'No files are held yet.'),
      f('FJID', '附件ID', 'string', false, 'No files are held yet.'),
      ...validity,
    ],
  },
  XMQTFJXXB: {
    name: 'XMQTFJXXB',
    label: '项目其他附件信息表',
    source: `${APLAN}SpglXmqtfjxxb.java; fields as selected in ${VIEWS} (3.5.6)`,
    key: 'DFSJZJ',
    fields: [
      local,
      region,
      projectCode,
      f('SPSXSLBM', '审批事项实例编码', 'string', true, 'The matter the file went to: the one owed its material when it was supplied, else the first received matter that lists the material; a document no received matter lists is not reported until one is. Must exist in XMSPSXBLXXB.'),
      f('BLSPSLBM', '并联审批实例编码', 'string', false, 'The stage instance of that matter, as in XMSPSXBLXXB (when the stage has several matters).'),
      f('FJID', '附件ID', 'string', true, 'The document store\'s id or URL of the file (we hold the reference, never the file).'),
      f('FJMC', '附件名称', 'string', true, 'The file name the applicant gave.'),
      f('FJFL', '附件分类', 'integer', false, '1 (application materials), as aplan writes; list not shown.'),
      f('FJLX', '附件类型', 'string', false, 'The file type the applicant gave (pdf…), empty when none.'),
      ...validity,
    ],
  },
} as const satisfies Record<string, TableSpec>;

export type SpglTableName =
  | 'DFXMSPLCXXB'
  | 'DFXMSPLCJDXXB'
  | 'DFXMSPLCJDSXXXB'
  | 'XMJBXXB'
  | 'XMDWXXB'
  | 'XMSPSXBLXXB'
  | 'XMSPSXBLXXXXB'
  | 'XMSPSXPFWJXXB'
  | 'XMSPSXBLTBCXXXB'
  | 'ZJFWSXBLXXB'
  | 'ZJFWSXBLGCXXB'
  | 'XMQTFJXXB';

/** A row as exchanged: the standard's field names, values already in the standard's form (codes as strings or numbers, times as `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai). */
export type SpglRow = Record<string, string | number | null>;

export type SpglTables = { [T in SpglTableName]: SpglRow[] };

/** The table name as the platform knows it. */
export const tableName = (t: SpglTableName): string => `SPGL_${t}`;

export function emptyTables(): SpglTables {
  return Object.fromEntries(Object.keys(TABLES).map((t) => [t, []])) as unknown as SpglTables;
}

/** A datetime in the exchange's form: Asia/Shanghai wall time, to the second. */
export function spglDatetime(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A date in the exchange's form. */
export function spglDate(epochMs: number): string {
  return spglDatetime(epochMs).slice(0, 10);
}

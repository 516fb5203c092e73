import { z } from 'zod';
import { CODE_PATTERN, isoDate, list, name } from '../contracts/fields';

/**
 * The published catalogue's shapes. One schema per file kind is the runtime check at load,
 * the TypeScript type (z.infer) and, later, the OpenAPI document of the catalogue routes.
 */

export { isoDate };

const code = z.string().regex(CODE_PATTERN, 'must be an upper-case code such as LY01');

export const departmentSchema = z.object({
  code,
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /**
   * A utility (供水/供电 companies) is not a government department: its officers see only their
   * own matters of an application, never the rest of it (api/authz.ts).
   */
  kind: z.enum(['government', 'utility']).default('government'),
});
export const departmentsFileSchema = z.object({ departments: z.array(departmentSchema).min(1) });

export const materialSchema = z.object({
  code,
  name: z.string().min(1),
  required: z.boolean().default(true),
  /** 容缺: may be accepted now and supplied later, by its own due date. */
  deferrable: z.boolean().default(false),
});

export const feeSchema = z.object({
  name: z.string().min(1),
  /** Amount in CNY; 0 for a free matter that still lists its legal basis. */
  amountYuan: z.number().nonnegative(),
  basis: z.string().min(1),
});

export const specialProcedureKind = z.enum(['siteInspection', 'expertReview', 'hearing', 'publicNotice']);
export type SpecialProcedureKind = z.infer<typeof specialProcedureKind>;

/**
 * 告知承诺制: the matter may be approved on the applicant's written commitment, decided on
 * acceptance without substantive review, and verified (核查) afterwards.
 */
export const commitmentPolicySchema = z.object({
  /** The conditions the applicant promises to meet, recorded verbatim with the commitment. */
  text: z.string().min(1),
  /** Working days from the result's issue for the department to verify the commitment. */
  verificationDays: z.number().int().positive(),
  /** A false commitment revokes the result; what happens to matters that used it. */
  dependents: z.enum(['flag', 'suspend']).default('flag'),
  /** Whether an applicant with a credit record (失信) from a false commitment is refused commitment here. */
  refuseAfterFalse: z.boolean().default(true),
});

/** 联合审图 / 联合验收 / 多测合一: the matter's department leads, the participants give opinions. */
export const jointPolicySchema = z.object({
  participants: z
    .array(
      z.object({
        department: code,
        /** Working days from acceptance (or from the rectification, on re-inspection) for this participant's opinion. */
        opinionDays: z.number().int().positive(),
      }),
    )
    .min(1),
  /** 逾期视为同意: silence by a participant's limit counts as no objection; otherwise its opinion escalates. */
  silenceIsConsent: z.boolean().default(false),
  /** Separate acceptances this joint matter replaces where a process places it instead of them. */
  replaces: z.array(code).default([]),
});

/** Remedies the catalogue switches on per matter. */
export const remediesSchema = z.object({
  /** 一次性告知: at most one supplement request, unless the department head approves another, named. */
  oneSupplement: z.boolean().default(false),
  /** 视为撤回: requested materials not supplied within this many working days withdraw the matter. */
  withdrawAfterWorkingDays: z.number().int().positive().optional(),
  /** Working days before the withdrawal on which the applicant is told. */
  reminderWorkingDaysBefore: z.number().int().nonnegative().default(2),
});

export const matterSchema = z
  .object({
    code,
    name: z.string().min(1),
    nameEn: z.string().min(1),
    department: code,
    legalBasis: z.string().min(1),
    /** Legal time limit in working days (承诺时限). */
    timeLimitDays: z.number().int().positive(),
    /** Working days the department head may add once (延期); 0 when the law allows none. */
    extensionDays: z.number().int().nonnegative().default(0),
    /** Working days a 容缺 item may trail acceptance; never later than the matter's own limit. */
    deferralDays: z.number().int().positive().optional(),
    materials: z.array(materialSchema).min(1),
    prerequisites: z.array(code).default([]),
    intermediaryServices: z.array(code).default([]),
    fees: z.array(feeSchema).default([]),
    specialProcedures: z.array(specialProcedureKind).default([]),
    /** Results this matter issues when approved (批文 / 证照). */
    result: z.string().min(1),
    commitment: commitmentPolicySchema.optional(),
    joint: jointPolicySchema.optional(),
    remedies: remediesSchema.optional(),
  })
  .refine((m) => m.materials.every((x) => x.required || !x.deferrable), {
    message: 'a deferrable (容缺) material must be a required one',
    path: ['materials'],
  });
export const mattersFileSchema = z.object({ matters: z.array(matterSchema).min(1) });

/** How a process places a catalogue matter: where, and what it overrides for this process. */
export const matterRefSchema = z.object({
  code,
  /** A milestone must be decided for its stage to complete; others run without holding it. */
  milestone: z.boolean().default(true),
  timeLimitDays: z.number().int().positive().optional(),
  prerequisites: z.array(code).optional(),
  /** The remedies this process switches on for the matter, in place of the catalogue's. */
  remedies: remediesSchema.optional(),
});

export const stageSchema = z.object({
  code,
  name: z.string().min(1),
  nameEn: z.string().min(1),
  leadDepartment: code,
  timeLimitDays: z.number().int().positive(),
  /** 'all': every milestone decided; 'any': the first approved milestone completes the stage. */
  completion: z.enum(['all', 'any']).default('all'),
  matters: z.array(matterRefSchema).min(1),
});

export const warningRuleSchema = z.union([
  z.object({ daysLeft: z.number().int().nonnegative() }).strict(),
  z.object({ shareUsed: z.number().gt(0).lt(1) }).strict(),
]);

export const escalationLevel = z.enum(['departmentHead', 'supervisionOffice', 'leadership']);
export type EscalationLevel = z.infer<typeof escalationLevel>;

export const escalationRungSchema = z.object({
  level: escalationLevel,
  /** Working days after the deadline at whose end the matter climbs to this level. */
  afterOverdueWorkingDays: z.number().int().positive(),
});

export const serviceEscalationRungSchema = z.object({
  level: z.enum(['regulator', 'supervisionOffice']),
  /** Days (of the contract's kind: working or calendar) after the committed date. */
  afterOverdueDays: z.number().int().positive(),
});

/** How a process runs its intermediary services (中介服务). */
export const intermediaryPolicySchema = z.object({
  /** Service types the government commissions in this process: their time counts as approval time. */
  governmentCommissioned: z.array(code).default([]),
  /** Warn the applicant and the provider this many days before the committed date. */
  warningDaysBefore: z.number().int().nonnegative().default(2),
  /** Days a provider has to rework a returned deliverable. */
  reworkDays: z.number().int().positive().default(5),
  escalation: z.array(serviceEscalationRungSchema).min(1),
});

export const processSchema = z.object({
  code,
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /** Target total in calendar days, intermediary time included (e.g. 80, 100, 120). */
  targetTotalDays: z.number().int().positive(),
  /** Administrative Licensing Law Art. 32: the window's limit for a missing-materials notice. */
  intakeLimitDays: z.number().int().positive().default(5),
  warning: warningRuleSchema,
  escalation: z
    .array(escalationRungSchema)
    .min(1)
    .refine((rungs) => rungs.every((r, i) => i === 0 || r.afterOverdueWorkingDays > rungs[i - 1]!.afterOverdueWorkingDays), {
      message: 'escalation rungs must climb at strictly increasing working-day offsets',
    }),
  stages: z.array(stageSchema).length(4, 'a process has exactly the four stages'),
  /** 并行推进: matters beside the stages (utility connections…) that hold no stage. */
  alongside: z.array(matterRefSchema).default([]),
  intermediary: intermediaryPolicySchema,
});

export const serviceTypeSchema = z.object({
  code,
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /** The industry authority that regulates providers of this service (行业主管部门). */
  regulator: code,
  /** The material the deliverable becomes on the matters that need it. */
  deliverable: code,
});

export const providerSchema = z.object({
  code,
  name: z.string().min(1),
  regulator: code,
  qualifications: z
    .array(
      z.object({
        serviceType: code,
        /** Last day the qualification is valid. */
        validUntil: isoDate,
        committedDays: z.number().int().positive(),
        dayKind: z.enum(['working', 'calendar']),
      }),
    )
    .min(1),
});

export const intermediaryFileSchema = z.object({
  serviceTypes: z.array(serviceTypeSchema).min(1),
  providers: z.array(providerSchema).min(1),
});

/** A development zone whose government completed area-wide assessments (区域评估). */
export const zoneSchema = z.object({
  code,
  name: z.string().min(1),
  source: z.string().min(1),
  assessments: z
    .array(z.object({ serviceType: code, completedOn: isoDate, validUntil: isoDate }))
    .min(1),
});
export const zonesFileSchema = z.object({ zones: z.array(zoneSchema) });

export const calendarYearSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    timeZone: z.literal('Asia/Shanghai'),
    source: z.object({ title: name('name the notice'), number: name('give the notice number', 100), publishedOn: isoDate }),
    holidays: list(z.object({ name: name('name the holiday', 100), from: isoDate, to: isoDate }), 40, 1, 'list at least one holiday'),
    makeupWorkingDays: list(z.object({ date: isoDate, for: name('name the holiday it makes up for', 100) }), 40),
    /**
     * 暂定: published before the State Council's notice for the year is out, from weekends and the
     * fixed-date holidays (no make-up days); deadlines counted on it are shown as provisional, and
     * the official year replaces it.
     */
    provisional: z.boolean().optional(),
  })
  .superRefine((cal, ctx) => {
    const inYear = (d: string) => d.startsWith(`${cal.year}-`);
    if (cal.provisional && cal.makeupWorkingDays.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['makeupWorkingDays'], message: 'a provisional year has no make-up working days: only the official notice sets them' });
    }
    cal.holidays.forEach((h, i) => {
      if (!inYear(h.from) || !inYear(h.to)) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `holiday ${h.name} lies outside ${cal.year}` });
      }
      if (h.from > h.to) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `holiday ${h.name} ends before it starts` });
    });
    cal.makeupWorkingDays.forEach((m, i) => {
      if (!inYear(m.date)) ctx.addIssue({ code: 'custom', path: ['makeupWorkingDays', i], message: `${m.date} lies outside ${cal.year}` });
      // The catalogue is data the domain reads, so it does not import the domain's time functions.
      const day = new Date(`${m.date}T00:00:00Z`);
      const wd = !Number.isNaN(day.getTime()) && day.toISOString().startsWith(m.date) ? day.getUTCDay() : 0;
      if (wd !== 0 && wd !== 6) {
        ctx.addIssue({ code: 'custom', path: ['makeupWorkingDays', i], message: `make-up working day ${m.date} is not a Saturday or Sunday` });
      }
      if (cal.holidays.some((h) => h.from <= m.date && m.date <= h.to)) {
        ctx.addIssue({ code: 'custom', path: ['makeupWorkingDays', i], message: `${m.date} is both a holiday and a make-up working day` });
      }
    });
  });

export type Department = z.infer<typeof departmentSchema>;
export type Material = z.infer<typeof materialSchema>;
export type Matter = z.infer<typeof matterSchema>;
export type CommitmentPolicy = z.infer<typeof commitmentPolicySchema>;
export type JointPolicy = z.infer<typeof jointPolicySchema>;
export type Remedies = z.infer<typeof remediesSchema>;
export type MatterRef = z.infer<typeof matterRefSchema>;
export type Stage = z.infer<typeof stageSchema>;
export type Process = z.infer<typeof processSchema>;
export type WarningRule = z.infer<typeof warningRuleSchema>;
export type EscalationRung = z.infer<typeof escalationRungSchema>;
export type ServiceType = z.infer<typeof serviceTypeSchema>;
export type IntermediaryPolicy = z.infer<typeof intermediaryPolicySchema>;
export type Zone = z.infer<typeof zoneSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type CalendarYear = z.infer<typeof calendarYearSchema>;

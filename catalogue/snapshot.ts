import type { CalendarYear, Department, EscalationRung, IntermediaryPolicy, Matter, Provider, ServiceType, WarningRule } from './schema';

/**
 * What one application runs on: the process resolved against the catalogue, frozen at start.
 * A published definition version never changes, so the snapshot and its hash identify the
 * rules an application was decided under, long after newer versions are published.
 */
export interface ResolvedMatter extends Matter {
  /** Stage code, or null for a matter beside the stages (并行推进). */
  stage: string | null;
  milestone: boolean;
}

export interface ResolvedStage {
  code: string;
  name: string;
  nameEn: string;
  leadDepartment: string;
  timeLimitDays: number;
  completion: 'all' | 'any';
  matters: ResolvedMatter[];
}

export interface ProcessSnapshot {
  definitionHash: string;
  code: string;
  name: string;
  nameEn: string;
  targetTotalDays: number;
  intakeLimitDays: number;
  warning: WarningRule;
  escalation: EscalationRung[];
  intermediary: IntermediaryPolicy;
  stages: ResolvedStage[];
  alongside: ResolvedMatter[];
  departments: Record<string, Department>;
  serviceTypes: Record<string, ServiceType>;
  providers: Provider[];
  calendars: CalendarYear[];
}

export function allMatters(p: Pick<ProcessSnapshot, 'stages' | 'alongside'>): ResolvedMatter[] {
  return [...p.stages.flatMap((s) => s.matters), ...p.alongside];
}

import { computed, reactive } from 'vue';
import { get } from '../../api/client';
import type { AlertLevel, Department, ProcessMatter, Provider, PublishedProcess, ServiceType } from '../../api/types';
import { useWords } from '../../words';

/**
 * The published catalogue's names for the codes the supervision lists carry (departments,
 * stages, processes, matters, providers, service types), fetched once per tab. Until it has
 * come, or if it cannot, a code stands for itself.
 */
const catalogue = reactive({
  departments: [] as Department[],
  processes: [] as PublishedProcess[],
  matters: {} as Record<string, Pick<ProcessMatter, 'name' | 'nameEn'>>,
  providers: [] as Provider[],
  serviceTypes: [] as ServiceType[],
});
let loading: Promise<void> | null = null;

/** The alert levels, least severe first, as GET /supervision/alerts knows them. */
export const ALERT_LEVELS: readonly AlertLevel[] = ['warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership'];

export function loadCatalogue(): Promise<void> {
  loading ??= (async () => {
    const [d, p, pr] = await Promise.all([
      get<{ departments: Department[] }>('/catalogue/departments'),
      get<{ processes: PublishedProcess[] }>('/catalogue/processes'),
      get<{ providers: Provider[]; serviceTypes: ServiceType[] }>('/catalogue/providers'),
    ]);
    catalogue.departments = d.departments;
    catalogue.processes = p.processes;
    catalogue.providers = pr.providers;
    catalogue.serviceTypes = pr.serviceTypes;
    const lists = await Promise.all(p.processes.map((x) => get<{ matters: ProcessMatter[] }>(`/catalogue/processes/${encodeURIComponent(x.code)}/matters`)));
    for (const list of lists) for (const m of list.matters) catalogue.matters[m.code] = { name: m.name, nameEn: m.nameEn };
  })().catch(() => {
    loading = null;
  });
  return loading;
}

export function useNames() {
  const { t, named } = useWords();
  /** Stages in process order, each once (the processes share S1–S4). */
  const stages = computed(() => {
    const seen = new Map<string, { code: string; name: string; nameEn: string }>();
    for (const p of catalogue.processes) for (const s of p.stages) if (!seen.has(s.code)) seen.set(s.code, s);
    return [...seen.values()];
  });
  return {
    catalogue,
    stages,
    /** Departments that hold matters (the supervision office itself holds none). */
    departments: computed(() => catalogue.departments.filter((d) => d.code !== 'SUP')),
    department: (code: string) => named(catalogue.departments.find((d) => d.code === code), code),
    stage: (code: string | null) => (code === null ? t('supervision.filters.alongside') : named(stages.value.find((s) => s.code === code), code)),
    process: (code: string) => named(catalogue.processes.find((p) => p.code === code), code),
    matter: (code: string, name: string) => named(catalogue.matters[code] ?? { name }, name),
    provider: (code: string) => catalogue.providers.find((p) => p.code === code)?.name ?? code,
    serviceType: (code: string) => named(catalogue.serviceTypes.find((s) => s.code === code), code),
  };
}

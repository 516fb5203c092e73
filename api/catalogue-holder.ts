import { loadCatalogue, type Catalogue } from '../catalogue/loader';
import { buildCalendar, type WorkingCalendar } from '../domain/calendar';

/**
 * The catalogue version new applications start on. An admin publishes a new version by
 * reloading the definitions; running applications keep the snapshot they started with.
 */
export class CatalogueHolder {
  private versions: { hash: string; loadedAt: string }[] = [];

  constructor(
    public current: Catalogue,
    private readonly dir?: string,
  ) {
    this.versions.push({ hash: current.hash, loadedAt: new Date().toISOString() });
  }

  /** Loads and validates the definitions again; on any DefinitionError the current version stays. */
  reload(): Catalogue {
    const next = loadCatalogue(this.dir);
    if (next.hash !== this.current.hash) this.versions.push({ hash: next.hash, loadedAt: new Date().toISOString() });
    this.current = next;
    return next;
  }

  /** The working-day calendar of the current version, built once per version (not per row of a list). */
  get calendar(): WorkingCalendar {
    if (this.built?.of !== this.current) this.built = { of: this.current, calendar: buildCalendar(this.current.calendars) };
    return this.built.calendar;
  }
  private built?: { of: Catalogue; calendar: WorkingCalendar };

  history() {
    return [...this.versions];
  }
}

import { loadCatalogue, type Catalogue } from '../catalogue/loader';

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

  history() {
    return [...this.versions];
  }
}

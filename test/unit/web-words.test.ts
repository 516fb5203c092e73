import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as admin from '../../web/src/i18n/admin';
import * as applicant from '../../web/src/i18n/applicant';
import * as common from '../../web/src/i18n/common';
import * as officer from '../../web/src/i18n/officer';
import * as supervision from '../../web/src/i18n/supervision';

/**
 * The pages' words as web/src/i18n/index.ts assembles them: the shared ones at the top, each
 * area's under its name. The codes' words (statuses, event kinds…) are checked by their types;
 * this checks the keys the pages name.
 */
const messages = {
  'zh-CN': { ...common.zhCN, applicant: applicant.zhCN, officer: officer.zhCN, supervision: supervision.zhCN, admin: admin.zhCN },
  en: { ...common.en, applicant: applicant.en, officer: officer.en, supervision: supervision.en, admin: admin.en },
};
const GROUPS = Object.keys(messages['zh-CN']).join('|');
const at = (words: object, key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), words);

const SRC = path.resolve(__dirname, '..', '..', 'web', 'src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'i18n' ? [] : sources(path.join(dir, e.name))) : /\.(vue|ts)$/.test(e.name) ? [path.join(dir, e.name)] : []));

/** Every key a page names in quotes (a fixed key, or the fixed start of a built one), and every group `word()` looks a code up in. */
function keysNamed(): { file: string; key: string; kind: 'word' | 'group' }[] {
  const out: { file: string; key: string; kind: 'word' | 'group' }[] = [];
  const quoted = new RegExp(`(?<!=)(['\`])((?:${GROUPS})\\.[\\w.]*(?:\\$\\{[^}]*\\}[\\w.]*)*)\\1`, 'g');
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const name = path.relative(SRC, file);
    for (const [, , key] of text.matchAll(quoted)) {
      const built = key!.indexOf('${');
      out.push(built < 0 ? { file: name, key: key!, kind: 'word' } : { file: name, key: key!.slice(0, built).replace(/\.$/, ''), kind: 'group' });
    }
    for (const [, group] of text.matchAll(/\bword\(\s*'([\w.]+)'/g)) out.push({ file: name, key: group!, kind: 'group' });
  }
  return out;
}

describe('the words of the pages', () => {
  const named = keysNamed();

  it('finds the keys the pages name (the scan itself works)', () => {
    expect(named.length).toBeGreaterThan(300);
    expect(named).toContainEqual({ file: 'pages/officer/InboxPage.vue', key: 'officer.inbox.title', kind: 'word' });
    expect(named).toContainEqual({ file: 'words.ts', key: 'status', kind: 'group' });
  });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`has every word a page names, and every group it looks a code up in, in ${locale}`, () => {
      const missing = named.filter(({ key, kind }) => {
        const found = at(messages[locale], key);
        return kind === 'word' ? typeof found !== 'string' && typeof found !== 'object' : typeof found !== 'object';
      });
      expect(missing).toEqual([]);
    });
  }
});

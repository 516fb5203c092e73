import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalogue } from '../catalogue/loader';

/**
 * Writes a principals file for the embedded run, with fresh random tokens, once: one applicant,
 * one agent with a delegation, an officer per department, the supervision office, an
 * integrator the applicant authorised, and an admin. Production supplies its own file through
 * API_TOKENS_FILE.
 */
const file = process.argv[2] ?? path.resolve('.data', 'principals.json');
if (!existsSync(file)) {
  mkdirSync(path.dirname(file), { recursive: true });
  const token = () => randomBytes(24).toString('base64url');
  const { departments } = loadCatalogue();
  const principals = [
    { token: token(), id: 'ent-001', name: '浏阳市教育投资有限公司', role: 'applicant' },
    { token: token(), id: 'agent-park-01', name: '经开区帮代办中心', role: 'agent', applicants: ['ent-001'] },
    ...departments
      .filter((d) => d.code !== 'SUP')
      .flatMap((d) => [
        { token: token(), id: `officer-${d.code.toLowerCase()}`, name: d.name, role: 'officer', department: d.code },
        { token: token(), id: `officer-${d.code.toLowerCase()}-2`, name: `${d.name}（二）`, role: 'officer', department: d.code },
        { token: token(), id: `head-${d.code.toLowerCase()}`, name: `${d.name}负责人`, role: 'officer', department: d.code, head: true },
      ]),
    { token: token(), id: 'sup-01', name: '市政府督查室', role: 'supervisor', department: 'SUP' },
    { token: token(), id: 'provincial-platform', name: '省工程建设项目审批管理系统', role: 'integrator', applicants: ['ent-001'] },
    { token: token(), id: 'admin', role: 'admin' },
  ];
  writeFileSync(file, JSON.stringify(principals, null, 2), { mode: 0o600 });
}
const principals = JSON.parse(readFileSync(file, 'utf8')) as { id: string; role: string; token: string }[];
console.log(`principals (${file}):`);
for (const p of principals.filter((x) => ['applicant', 'agent', 'supervisor', 'admin'].includes(x.role) || x.id === 'officer-drc')) {
  console.log(`  ${p.role.padEnd(10)} ${p.id.padEnd(16)} Bearer ${p.token}`);
}

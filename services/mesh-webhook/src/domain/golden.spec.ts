// Golden files: each `__golden__/<case>.review.json` is an AdmissionReview as the API server sends
// it; `<case>.response.json` is what the webhook answers (plus the decoded patch, for review).
// They fail when stale; `UPDATE_GOLDEN=1 npx jest …` rewrites them.
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePatch, LOOKUPS, POLICY } from './__fixtures__/mesh-fixtures';
import { reviewAdmission } from './review-admission';

const DIR = join(__dirname, '__golden__');
const INPUT = '.review.json';
const EXPECTED = '.response.json';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const files = readdirSync(DIR);
const cases = files.filter((f) => f.endsWith(INPUT)).map((f) => f.slice(0, -INPUT.length)).sort();

function render(name: string): string {
  const input: unknown = JSON.parse(readFileSync(join(DIR, name + INPUT), 'utf8'));
  const result = reviewAdmission(input, POLICY, LOOKUPS);
  const golden = {
    outcome: result.outcome,
    rule: result.rule,
    reason: result.reason,
    decodedPatch: decodePatch(result.review.response?.patch) ?? null,
    admissionReview: result.review,
  };
  return `${JSON.stringify(golden, null, 2)}\n`;
}

describe('golden AdmissionReviews', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('has no expected file without an input', () => {
    const orphans = files.filter((f) => f.endsWith(EXPECTED) && !cases.includes(f.slice(0, -EXPECTED.length)));
    if (UPDATE) orphans.forEach((f) => unlinkSync(join(DIR, f)));
    else expect(orphans).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    const path = join(DIR, name + EXPECTED);
    const actual = render(name);
    if (UPDATE) {
      writeFileSync(path, actual);
      return;
    }
    if (!existsSync(path)) throw new Error(`${path} is missing; run with UPDATE_GOLDEN=1 and review the result`);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  });
});

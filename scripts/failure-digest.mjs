// The end of `npm test`'s output says why each failed part failed (pure; scripts/test.mjs
// prints it last). A CI log is often read from its end only: the failing tests' names and
// first error lines, and the last lines of a part that failed without a report (the VM
// lab's boot, a typecheck), are repeated there, bounded so the digest stays short.

const MAX_TESTS = 12;
const MAX_TAIL = 12;
const LINE = 300;

const clip = (s) => (s.length > LINE ? `${s.slice(0, LINE - 1)}…` : s);
// Colours and the cursor codes of a terminal reporter.
const plain = (s) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

/** The failed tests of a vitest JSON report: file › name, and the first line of the error. */
export function vitestFailures(report) {
  const out = [];
  for (const file of report?.testResults ?? []) {
    const tests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const t of tests) out.push({ test: `${file.name} › ${t.fullName ?? t.title}`, error: firstLine(t.failureMessages?.[0]) });
    // A file that failed outside any test (its import, a beforeAll) has no failed test of its own.
    if (!tests.length && file.status === "failed") out.push({ test: file.name, error: firstLine(file.message) });
  }
  return out;
}

/** The failed tests of a Playwright JSON report: file:line › title, and the first line of the error. */
export function playwrightFailures(report) {
  const out = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== "unexpected") continue;
        const error = (t.results ?? []).map((r) => r.error?.message).find(Boolean);
        out.push({ test: `${spec.file}:${spec.line} › ${spec.title}`, error: firstLine(error) });
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of report?.suites ?? []) walk(s);
  return out;
}

function firstLine(text) {
  return clip(
    plain(String(text ?? ""))
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "(no message)",
  );
}

/** The last non-empty lines of a part's output. */
export function tail(text, lines = MAX_TAIL) {
  return plain(text)
    .split("\n")
    .filter((l) => l.trim())
    .slice(-lines)
    .map(clip);
}

/**
 * @param {{ label: string, failures?: { test: string, error: string }[], tail?: string[] }[]} parts  the failed parts
 * @param {string} root  the repository root, cut from file paths
 * @returns {string[]}
 */
export function digest(parts, root) {
  const lines = [];
  for (const p of parts) {
    lines.push(`--- why "${p.label}" failed:`);
    const rel = (s) => s.replaceAll(`${root}/`, "");
    if (p.failures?.length) {
      for (const f of p.failures.slice(0, MAX_TESTS)) lines.push(`  ✘ ${rel(f.test)}`, `      ${rel(f.error)}`);
      if (p.failures.length > MAX_TESTS) lines.push(`  … and ${p.failures.length - MAX_TESTS} more`);
    } else {
      for (const l of p.tail ?? []) lines.push(`  | ${rel(l)}`);
    }
  }
  return lines;
}

// Prints vitest's JSON report as one plain closing line: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A test file that failed before its tests ran (a peer that would not start) has no failed
// test of its own; its tests count as skipped. Say so, or the line would read as all green.
const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed'));
const broken = brokenFiles.length > 0 ? `, ${brokenFiles.length} file(s) failed before their tests ran: ${brokenFiles.map((f) => f.name).join(', ')}` : '';
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped${broken}`);

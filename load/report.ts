// Human-readable outputs of a run: a markdown table beside each baseline JSON and an SVG picture
// of latency over time (p50, p95, p99 and max per second). Pure string builders.
import type { RunRecord, SecondFigures } from "./record";

const f = (x: number, d = 2): string => x.toFixed(d);
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** The figures of one run as a markdown table, with the budgets beside them. */
export function markdownTable(r: RunRecord): string {
  const ok = (broken: boolean): string => (broken ? "**broken**" : "met");
  const lines = [
    `# /health/saas load baseline: ${r.stack}, ${r.date.slice(0, 10)}`,
    "",
    `Driver: ${r.tool}, open model (constant arrival rate), target ${r.target}.`,
    "",
    "| figure | value | budget | |",
    "|---|---:|---:|---|",
    `| target rate | ${r.rate.target}/s | | |`,
    `| achieved rate (successful/s) | ${f(r.rate.achieved)}/s | >= ${f(r.budgets.minAchievedRatio * r.rate.target)}/s | ${ok(r.rate.achieved < r.budgets.minAchievedRatio * r.rate.target)} |`,
    `| duration | ${f(r.durationS, 1)} s | | |`,
    `| requests | ${r.requests} | | |`,
    `| p50 | ${f(r.latencyMs.p50, 3)} ms | | |`,
    `| p90 | ${f(r.latencyMs.p90, 3)} ms | | |`,
    `| p95 | ${f(r.latencyMs.p95, 3)} ms | < ${r.budgets.p95Ms} ms | ${ok(!(r.latencyMs.p95 < r.budgets.p95Ms))} |`,
    `| p99 | ${f(r.latencyMs.p99, 3)} ms | | |`,
    `| max | ${f(r.latencyMs.max, 3)} ms | | |`,
    `| error rate | ${pct(r.errorRate)} | < ${pct(r.budgets.errorRate)} | ${ok(!(r.errorRate < r.budgets.errorRate))} |`,
    `| status codes | ${Object.entries(r.statusCodes)
      .map(([c, n]) => `${c}: ${n}`)
      .join(", ")} | | |`,
  ];
  if (r.capacity) {
    const c = r.capacity;
    lines.push(
      "",
      "## Capacity (same run, same driver, same cores)",
      "",
      "| | highest rate meeting the budgets | p95 there |",
      "|---|---:|---:|",
      `| gateway /health/saas | ${c.rps}/s | ${f(c.p95Ms, 3)} ms |`,
      `| bare Node http server, same body size (ceiling) | ${c.ceilingRps}/s | ${f(c.ceilingP95Ms, 3)} ms |`,
      `| gateway / ceiling | ${pct(c.ratio)} | goal >= ${pct(c.goalRatio)}: ${c.goalMet ? "met" : "**not met**"} |`,
    );
  }
  lines.push("", r.budgetsMet ? "All budgets met." : `Budgets broken: ${r.violations.join("; ")}.`);
  return lines.join("\n") + "\n";
}

/** Latency over time as an SVG line chart (no dependencies, readable in any browser). */
export function latencySvg(series: readonly SecondFigures[], title: string): string {
  const W = 900;
  const H = 360;
  const m = { l: 64, r: 150, t: 36, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const tMax = Math.max(1, ...series.map((s) => s.t));
  const yTop = niceCeil(Math.max(0.001, ...series.map((s) => s.p99)) * 1.15);
  const x = (t: number): number => m.l + (t / tMax) * pw;
  const y = (v: number): number => m.t + ph - (Math.min(v, yTop) / yTop) * ph;
  const lines: [keyof SecondFigures, string, string][] = [
    ["p50", "#2b8a3e", "p50"],
    ["p95", "#e67700", "p95"],
    ["p99", "#c92a2a", "p99"],
  ];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yTop * i) / 4;
    out.push(
      `<line x1="${m.l}" y1="${y(v)}" x2="${m.l + pw}" y2="${y(v)}" stroke="#e9ecef"/>`,
      `<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${fmtMs(v)}</text>`,
    );
  }
  for (let i = 0; i <= 6; i++) {
    const t = (tMax * i) / 6;
    out.push(
      `<text x="${x(t)}" y="${m.t + ph + 18}" text-anchor="middle">${Math.round(t)} s</text>`,
    );
  }
  out.push(
    `<line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}" stroke="#495057"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" stroke="#495057"/>`,
    `<text x="${m.l + pw / 2}" y="${H - 6}" text-anchor="middle">time since start (per-second buckets)</text>`,
    `<text x="14" y="${m.t + ph / 2}" transform="rotate(-90 14 ${m.t + ph / 2})" text-anchor="middle">latency</text>`,
  );
  lines.forEach(([key, color, label], i) => {
    const pts = series.map((s) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`).join(" ");
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>`,
      `<line x1="${m.l + pw + 16}" y1="${m.t + 10 + i * 20}" x2="${m.l + pw + 40}" y2="${m.t + 10 + i * 20}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${m.l + pw + 46}" y="${m.t + 14 + i * 20}">${label}</text>`,
    );
  });
  const maxAll = Math.max(0, ...series.map((s) => s.max));
  out.push(
    `<text x="${m.l + pw + 16}" y="${m.t + 84}">max ${fmtMs(maxAll)}</text>`,
    `<text x="${m.l + pw + 16}" y="${m.t + 104}">${series.reduce((n, s) => n + s.requests, 0)} requests</text>`,
    `<text x="${m.l + pw + 16}" y="${m.t + 124}">${series.reduce((n, s) => n + s.errors, 0)} errors</text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

function fmtMs(v: number): string {
  return v >= 10 ? `${v.toFixed(0)} ms` : v >= 1 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

function esc(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string,
  );
}

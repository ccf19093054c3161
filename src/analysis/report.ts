// The "is a large language model only a bigger model?" report: the latest curve, scaling sweep and
// comparison put together in plain words, as markdown with its plots.

import type { CurveResult } from './curves.js';
import type { ScaleResult } from './scale.js';
import type { CompareResult } from './compare.js';

/** What the report is made of (any part may be missing). */
export interface ReportInputs {
  validation?: CurveResult | null;
  learning?: CurveResult | null;
  scale?: ScaleResult | null;
  compare?: CompareResult[];
  /** Plot files (relative to the report) to link, by part. */
  plots?: { validation?: string; learning?: string; scale?: string };
  /** Renders a comparison as a markdown table. */
  compareTable: (r: CompareResult) => string;
}

const f = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
const human = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

function curveSection(r: CurveResult, plot: string | undefined, title: string): string[] {
  const out = [`## ${title}`, ''];
  const what = r.kind === 'validation' ? `${r.model} with ${r.param} from ${String(r.values[0])} to ${String(r.values[r.values.length - 1])}` : `${r.model} against training size`;
  out.push(`${what}, ${r.folds > 1 ? `${r.folds}-fold cross-validated` : 'on the held-out split'} ${r.metric}${r.rows ? ` (${r.rows} ${r.model === 'gpt' ? 'tokens' : 'rows'})` : ''}.`, '');
  out.push(`| ${r.kind === 'validation' ? r.param : 'size'} | parameters | train ${r.metric} | validation ${r.metric} | gap |`, '|---|---:|---:|---:|---:|');
  r.values.forEach((v, i) => {
    const mark = v === r.best ? ' **best**' : v === r.turn ? ' turn' : '';
    out.push(`| ${String(v)}${mark} | ${r.parameters[i]!.toLocaleString('en-US')} | ${f(r.train[i]!, 4)} | ${f(r.validation[i]!, 4)} | ${f(r.gap[i]!, 4)} |`);
  });
  out.push('', `**Verdict (${r.state}).** ${r.verdict}`, '');
  if (plot) out.push(`![${title}](${plot})`, '');
  return out;
}

function scaleSection(s: ScaleResult, plot: string | undefined): string[] {
  const out = ['## Scaling: loss against parameters, tokens and compute', ''];
  const ns = s.runs.map((r) => r.n);
  const decades = Math.log10(Math.max(...ns) / Math.min(...ns));
  out.push(`${s.runs.length} GPTs from ${human(Math.min(...ns))} to ${human(Math.max(...ns))} ${s.count} parameters (${decades.toFixed(2)} decades), matched settings, ${s.isoflop ? 'the same compute each (isoflop)' : 'the same tokens each'}; ${(s.seconds / 60).toFixed(1)} minutes in all.`, '');
  out.push('| layers x width | parameters | N | tokens | FLOPs | train loss | validation loss |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of s.runs) out.push(`| ${r.config.nLayer} x ${r.config.nEmbd} | ${r.parameters.toLocaleString('en-US')} | ${r.n.toLocaleString('en-US')} | ${r.tokens.toExponential(2)} | ${r.flops.toExponential(2)} | ${f(r.trainLoss)} | ${f(r.valLoss)} |`);
  out.push('');
  if (s.fit) {
    const x = s.fit;
    out.push(`**Fitted law (Kaplan et al. 2020 form):** L(N) = ${f(x.E)} + ${x.A.toPrecision(4)} / N^${f(x.alpha)}, alpha = ${f(x.alpha)} ± ${f(x.stderr.alpha)} (95% bootstrap ${f(x.alphaInterval[0])}..${f(x.alphaInterval[1])}), irreducible loss E = ${f(x.E)} ± ${f(x.stderr.E)}.`, '');
    out.push(`In words: every doubling of parameters cuts the reducible loss by ${f(100 * (1 - 2 ** -x.alpha), 1)}%; the loss never goes below about ${f(x.E, 2)} nats/token on this data however large the model.`, '');
  }
  if (s.heldOut) {
    out.push(`**Held-out check:** fitted without the ${human(s.heldOut.n)} model, the law predicted ${f(s.heldOut.predicted)}; it measured ${f(s.heldOut.actual)} (${f(100 * s.heldOut.relativeError, 2)}% off). ${s.heldOut.relativeError <= 0.05 ? 'A smooth power law, so the loss of a larger model can be predicted before training it.' : 'More than 5% off: the sweep is too short or too noisy to extrapolate from.'}`, '');
  }
  for (const iso of s.isoflops) out.push(`Isoflop profile at ${iso.compute.toExponential(2)} FLOPs: the best size is ${Number.isFinite(iso.optimalParameters) ? human(iso.optimalParameters) : '(outside the sweep)'} parameters, ${f(iso.tokensPerParameter, 1)} tokens per parameter.`);
  if (s.dataLaw) out.push(`L(N, D) = ${f(s.dataLaw.E)} + ${s.dataLaw.A.toPrecision(3)} / N^${f(s.dataLaw.alpha)} + ${s.dataLaw.B.toPrecision(3)} / D^${f(s.dataLaw.beta)} (Hoffmann et al. 2022 form).`);
  if (s.tokensPerParameter) out.push(`Compute-optimal: about ${f(s.tokensPerParameter.value, 1)} tokens per parameter (Chinchilla found ~20).`);
  for (const n of s.notes) out.push(`Note: ${n}`);
  out.push('');
  if (plot) out.push(`![scaling](${plot})`, '');
  return out;
}

/**
 * The markdown report; missing parts say which command makes them.
 * @example writeFileSync('report.md', renderReport({ validation, scale, compare: [c], compareTable }));
 */
export function renderReport(i: ReportInputs): string {
  const out: string[] = ['# Is a large language model only a bigger model?', ''];
  out.push('Measured with moxing on this machine. Three experiments, each rerunnable on your own data with the command under its heading.', '');
  // The short answer, from whatever was measured.
  const answer: string[] = [];
  if (i.validation) answer.push(i.validation.state === 'overfits'
    ? `A bigger model is not simply better: the ${i.validation.model}'s validation ${i.validation.metric} peaks at ${i.validation.param}=${String(i.validation.best)} and falls beyond it while its training ${i.validation.metric} keeps rising (overfitting).`
    : `The ${i.validation.model}'s validation curve: ${i.validation.verdict}`);
  if (i.scale?.fit) {
    const s = i.scale;
    const smooth = !s.notes.some((n) => /does not fall/.test(n)) && (s.heldOut === null || s.heldOut.relativeError <= 0.05);
    answer.push(smooth
      ? `Yet GPTs trained on more text get steadily better with size, along a power law (alpha = ${f(s.fit!.alpha)})${s.heldOut ? ` that predicted a held-out size within ${f(100 * s.heldOut.relativeError, 1)}%` : ''}: with self-supervised pretraining on enough data, size pays off instead of overfitting.`
      : `The scaling sweep is not in the power-law regime yet (${s.heldOut ? `held-out size ${f(100 * s.heldOut.relativeError, 1)}% off` : 'no held-out check'}${s.notes.some((n) => /does not fall/.test(n)) ? ', loss not falling with size' : ''}): its models need more tokens before size pays off.`);
  }
  const c = i.compare?.find((x) => x.task === 'sentiment') ?? i.compare?.[0];
  if (c) {
    const task = c.task === 'sentiment' ? 'sentiment' : c.target;
    const zs = c.models.find((m) => m.family === 'foundation' && m.trainFlops === 0);
    const ft = c.models.find((m) => m.family === 'foundation' && m.trainFlops > 0);
    const classical = c.models.filter((m) => m.family === 'classical');
    const bestClassical = classical.length ? Math.max(...classical.map((m) => m.validationScore)) : NaN;
    if (!zs && !ft) answer.push(`On ${task}: ${c.verdict}`);
    else {
      const works = (!zs || zs.validationScore > (c.majority ?? 0) + 0.02) && (!ft || ft.validationScore >= bestClassical - 0.02);
      answer.push(works
        ? `On ${task}, one pretrained model serves a task it was never trained for${zs ? ` (zero-shot ${f(zs.validationScore)})` : ''} and, fine-tuned, matches models built for the task${ft ? ` (${f(ft.validationScore)} against ${f(bestClassical)})` : ''}.`
        : `On ${task}, this pretrained GPT does not yet act as a foundation model: ${zs ? `zero-shot ${f(zs.validationScore)}${c.majority != null ? ` (the majority baseline is ${f(c.majority)})` : ''}` : ''}${zs && ft ? ', ' : ''}${ft ? `fine-tuned ${f(ft.validationScore)} against ${f(bestClassical)} for the best classical model at a fraction of the compute` : ''}. Its pretraining was too small to pay off here.`);
    }
  }
  if (answer.length) out.push('## The short answer', '', ...answer.map((a) => `- ${a}`), '', 'So a large language model is more than a bigger model only when size comes with self-supervised training on far more data than parameters (without it, a bigger model overfits or stays undertrained, as the measurements above show where they fall short), and the payoff is one model serving many tasks.', '');
  out.push(...(i.validation ? curveSection(i.validation, i.plots?.validation, 'Complexity against generalization') : ['## Complexity against generalization', '', 'Not measured yet: `moxing curve validation data.csv --target y --model tree --param maxDepth=1..20`', '']));
  if (i.learning) out.push(...curveSection(i.learning, i.plots?.learning, 'More data against generalization'));
  out.push(...(i.scale ? scaleSection(i.scale, i.plots?.scale) : ['## Scaling', '', 'Not measured yet: `moxing scale --data <token-dir> --sizes 50k,100k,200k,500k,1m,2m --budget 2M`', '']));
  out.push('## Classical models against a foundation model', '');
  if (!i.compare || i.compare.length === 0) out.push('Not measured yet: `moxing compare --task sentiment` (and `--task tabular`).', '');
  for (const r of i.compare ?? []) {
    out.push(`### ${r.title}`, '', `${r.trainRows} training and ${r.validationRows} validation rows from ${r.data}; the same split for every model (the GPT rows use the first ${Math.max(...r.models.map((m) => m.validationRows))} validation rows).`, '');
    out.push(i.compareTable(r), `${r.verdict}`, '');
    const notes = r.models.filter((m) => m.note).map((m) => `- ${m.model}: ${m.note}`);
    if (notes.length) out.push(...notes, '');
  }
  out.push('## How to read the numbers', '',
    '- *gap*: train score minus validation score; a large gap means the model memorizes its training data (overfits).',
    '- *parameters*: learned values (tree nodes, weights); for GPTs the scaling law counts non-embedding parameters, as Kaplan et al.',
    '- *FLOPs*: training compute estimates (6 per parameter per token for GPTs; passes over the data for classical models).', '');
  return `${out.join('\n')}\n`;
}

// Which task a model does on a target column: what the model allows, then what the column looks like.

import { column, type Table } from '../../data/table.js';
import { isNumber } from '../../data/csv.js';
import { TabularError } from './error.js';
import { MODEL_NAMES, tasksOf, type ModelName, type Task } from './models.js';
import type { ParamValues } from './params.js';

/**
 * The task a model name implies for this target column (`task` in params overrides).
 * @example inferTask('forest', readCsv('credit.csv'), 'Status', {}); // 'classification'
 */
export function inferTask(name: ModelName, t: Table, target: string | null, params: ParamValues): Task {
  const tasks = tasksOf(name);
  if (tasks.includes('clustering')) return 'clustering';
  if (target === null) throw new TabularError(`--target is required for model '${name}'`);
  const c = column(t, target);
  const forced = params.task;
  if (forced !== undefined && forced !== 'regression' && forced !== 'classification') throw new TabularError(`task must be regression or classification, got '${forced}'`);
  let task: 'regression' | 'classification';
  if (forced) task = forced;
  else if (tasks.length === 1) task = tasks[0] as 'regression' | 'classification';
  else if (c.kind === 'categorical') task = 'classification';
  else {
    // Few distinct whole numbers (digit labels, 0/1 flags) are classes; anything else is a quantity.
    const distinct = new Set<number>();
    let whole = true;
    for (const v of c.values) if (!Number.isNaN(v)) { distinct.add(v); if (!Number.isInteger(v)) whole = false; }
    task = whole && distinct.size <= 20 ? 'classification' : 'regression';
  }
  if (task === 'regression' && !tasks.includes('regression')) throw new TabularError(`model '${name}' is a classifier`);
  if (task === 'regression' && c.kind === 'categorical') {
    // Name a value that is not a number (as the CSV reader decides): a column of numbers with one
    // stray word is the usual case. Data rows, not file lines: blank lines and quoted newlines differ.
    const at = c.values.findIndex((v) => v !== null && !isNumber(v));
    const where = at >= 0 ? `'${c.values[at]}' in data row ${at + 1}` : `values like '${c.values.find((v) => v !== null)}'`;
    throw new TabularError(`target column '${target}' is not numeric (it has ${where}): model '${name}' does regression and needs a numeric target`);
  }
  if (task === 'classification' && !tasks.includes('classification')) {
    const classifiers = MODEL_NAMES.filter((n) => tasksOf(n).includes('classification'));
    throw new TabularError(`model '${name}' is a regressor; use ${classifiers.slice(0, -1).join(', ')} or ${classifiers.at(-1)} for classification`);
  }
  return task;
}

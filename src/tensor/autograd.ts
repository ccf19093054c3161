// Reverse-mode autodiff: topological order of the graph, then each node's backward, leaves accumulate.

import { Tensor } from './tensor.js';
import { noGrad } from './grad-mode.js';
import { ShapeError, sameShape, shapeStr } from './shape.js';

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: transformer graphs are deep enough to overflow a recursive one.
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order; // children before parents
}

/** a + b as a new tensor (through the ops, on the tensors' device). */
function addInto(a: Tensor, b: Tensor): Tensor {
  return a.add(b);
}

/** Runs backward from `root`; see Tensor.backward. */
export function runBackward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad (no input had requiresGrad, or it was made under noGrad)');
  }
  let g0: Tensor;
  if (seed) {
    if (!sameShape(seed.shape, root.shape)) {
      throw new ShapeError(`backward: gradient shape ${shapeStr(seed.shape)} != tensor shape ${shapeStr(root.shape)}`);
    }
    g0 = seed;
  } else {
    if (root.size !== 1) {
      throw new ShapeError(`backward: called without a gradient on a tensor of shape ${shapeStr(root.shape)}; only a single-element tensor (a loss) has an implicit gradient`);
    }
    const one = root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]);
    g0 = new Tensor(root.dev.upload(one), root.shape, {}, root.dev);
  }
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, g0]]);
  noGrad(() => {
    for (let idx = order.length - 1; idx >= 0; idx--) {
      const t = order[idx];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // free intermediate gradients as soon as they are used
      if (!t.node) {
        // A fresh copy: upstream gradients may share storage (add passes g to both inputs),
        // and optimizers and clipping update .grad in place.
        t.grad = t.grad ? addInto(t.grad, g) : g.clone();
        continue;
      }
      const inputGrads = t.node.backward(g);
      t.node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new ShapeError(`${t.node!.op} backward: gradient ${shapeStr(gi.shape)} for input ${i} of shape ${shapeStr(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? addInto(prev, gi) : gi);
      });
    }
  });
}

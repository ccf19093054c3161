// A tiny element builder: h('a', { href: '#/runs', class: 'x', onclick: fn }, 'text', child).

/** A child: text, an element, or nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;

type Props = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/**
 * Creates an element; `on*` props are listeners, `true` sets an empty attribute, null/false/undefined skip it.
 * @example h('button', { class: 'primary', onclick: () => go() }, 'Send')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children, skipping empty ones. */
export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A titled section (a card). */
export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

/** A table from headers and rows of cells; wrapped so it scrolls sideways on a narrow screen. */
export function table(headers: readonly string[], rows: readonly Child[][], props: Props = {}): HTMLElement {
  return h('div', { class: 'table-wrap' },
    h('table', props,
      h('thead', null, h('tr', null, ...headers.map((x) => h('th', null, x)))),
      h('tbody', null, ...rows.map((r) => h('tr', null, ...r.map((c) => h('td', null, c)))))));
}

/** A muted paragraph for empty states and hints. */
export function note(...children: Child[]): HTMLElement {
  return h('p', { class: 'note' }, ...children);
}

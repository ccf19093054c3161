// Plain text from HTML (documentation pages): scripts, styles and navigation dropped, block
// elements become line breaks, entities decoded. Not a full HTML parser: enough for generated docs.

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', para: '¶', sect: '§',
  laquo: '«', raquo: '»', middot: '·', times: '×', bull: '•', deg: '°', shy: '',
};

/**
 * Decodes named and numeric character references.
 * @example decodeEntities('a &amp; b &#x4e2d;') // 'a & b 中'
 */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

const BLOCK = /<\/?(p|div|br|hr|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|pre|blockquote|section|article|title|figure|figcaption)\b[^>]*>/gi;

/**
 * The readable text of an HTML page, paragraphs separated by blank lines.
 * @example htmlToText('<h1>Title</h1><p>One &amp; two.</p><script>x()</script>') // 'Title\n\nOne & two.'
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|nav|noscript)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(BLOCK, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/[ \t\r\f\v]+/g, ' ');
  return decodeEntities(text)
    .split('\n').map((l) => l.trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

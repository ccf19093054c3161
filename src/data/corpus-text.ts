// Corpus text handling: normalisation, a language tag (English, Chinese or other), and extraction of
// the formats Debian ships text in (roff man pages, info manuals, POD, fortune files, the GCIDE
// dictionary, WordNet's data files).

/**
 * Unicode NFC, LF line ends, no terminal escapes or control characters, no trailing spaces, at most
 * one blank line in a row.
 * @example normalizeText('a\r\n\x1b[33mb\x1b[m  \n\n\n\nc') // 'a\nb\n\nc'
 */
export function normalizeText(s: string): string {
  return s
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type Lang = 'en' | 'zh' | 'other';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/gu;
const KANA_HANGUL = /[\u3040-\u30ff\uac00-\ud7af]/gu;
const EN_STOP = new Set('the of and to a in is that for it as with was on be by this are or from at not'.split(' '));

/**
 * The language of a document: 'zh' when Chinese characters are at least 20% of its letters (and
 * there is little kana or hangul), 'en' when common English words are at least 8% of its Latin words,
 * else 'other' (German, French, Japanese, code...).
 * @example langTag('The cat sat on the mat.') // 'en'; langTag('床前明月光') // 'zh'
 */
export function langTag(text: string): Lang {
  const sample = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const cjk = sample.match(CJK)?.length ?? 0;
  const kana = sample.match(KANA_HANGUL)?.length ?? 0;
  const words = sample.toLowerCase().match(/[a-z]+/g) ?? [];
  const latin = words.reduce((n, w) => n + w.length, 0);
  if (cjk > 0 && cjk >= 0.2 * (cjk + kana + latin) && kana < 0.1 * cjk) return 'zh';
  if (words.length >= 3) {
    let stop = 0;
    for (const w of words) if (EN_STOP.has(w)) stop++;
    if (stop >= 0.08 * words.length && kana === 0) return 'en';
    // A short text (a fortune, a title) may hold no stop word: all-ASCII letters count as English.
    if (words.length < 20 && kana === 0 && !/[^\x00-\x7f\u2018-\u201d\u2013\u2014\u2026]/.test(sample)) return 'en';
  }
  return 'other';
}

/**
 * Readable text from a roff man page: requests and escapes dropped, section headings kept.
 * @example roffToText('.TH LS 1\n.SH NAME\nls \\- list directory contents') // 'NAME\nls - list directory contents'
 */
export function roffToText(roff: string): string {
  // roff text is filled: lines join into paragraphs; headings and paragraph requests break them.
  const paras: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) paras.push(cur.join(' ').replace(/\s+/g, ' ').trim());
    cur = [];
  };
  for (const raw of roff.split('\n')) {
    if (/^['.]\s*\\"/.test(raw)) continue; // comments
    let line = raw;
    const m = /^[.']\s*([A-Za-z]{1,3})\b\s?(.*)$/.exec(line);
    if (m) {
      const req = m[1];
      if (req === 'SH' || req === 'SS') { flush(); paras.push(m[2].replace(/"/g, '')); continue; }
      if (['B', 'I', 'BI', 'IB', 'BR', 'RB', 'IR', 'RI', 'SM', 'SB'].includes(req)) line = m[2].replace(/"([^"]*)"/g, '$1').replace(/\s+/g, ['BR', 'RB', 'IR', 'RI', 'BI', 'IB'].includes(req) ? '' : ' ');
      else if (['PP', 'P', 'LP', 'TP', 'IP', 'HP', 'sp', 'br'].includes(req)) { flush(); if (req === 'IP' && m[2]) cur.push(m[2].replace(/"/g, '').split(/\s+/)[0]); continue; }
      else continue; // other requests: formatting only
    }
    line = line
      .replace(/\\f(\[[^\]]*\]|\(..|.)/g, '')
      .replace(/\\\(em|\\\[em\]/g, '—').replace(/\\\(en|\\\[en\]/g, '–')
      .replace(/\\\((lq|rq|dq)|\\\[(lq|rq|dq)\]/g, '"').replace(/\\\((oq|cq)/g, "'")
      .replace(/\\\(bu|\\\[bu\]/g, '•').replace(/\\\(co/g, '©')
      .replace(/\\\(..|\\\[[^\]]*\]/g, '')
      .replace(/\\[-e]/g, (x) => (x === '\\-' ? '-' : '\\'))
      .replace(/\\[&|^%:)/,]/g, '')
      .replace(/\\s[-+]?\d/g, '')
      .replace(/\\\*\(?[A-Za-z]{1,2}/g, '')
      .replace(/\\ /g, ' ')
      .replace(/\\(.)/g, '$1');
    if (line.trim() === '') flush();
    else cur.push(line.trim());
  }
  flush();
  return paras.filter((p) => p.length > 0).join('\n\n');
}

/**
 * The nodes of a GNU info manual, each as its own document (menus and node headers dropped).
 * @example infoNodes('\x1f\nFile: x.info, Node: Top\n\nHello.\n') // ['Hello.']
 */
export function infoNodes(info: string): string[] {
  return info.split('\x1f').slice(1)
    .map((node) => node.replace(/^\n?File: [^\n]*\n/, '').replace(/^\* Menu:[\s\S]*?(\n\n|$)/m, '\n').trim())
    .filter((n) => n.length > 0 && !n.startsWith('Tag Table:') && !n.startsWith('Indirect:') && !n.startsWith('Local Variables'));
}

/**
 * Text from Perl's POD: commands become headings or are dropped, formatting codes keep their text.
 * @example podToText('=head1 NAME\n\nB<perl> - the language\n\n=cut') // 'NAME\n\nperl - the language'
 */
export function podToText(pod: string): string {
  return pod
    .replace(/^=(head\d|item)\s*(.*)$/gm, '$2')
    .replace(/^=\w+.*$/gm, '')
    .replace(/[A-Z]<<+\s+([\s\S]*?)\s+>>+/g, '$1')
    .replace(/[BICFSLEXZ]<([^<>]*)>/g, (_, inner: string) => inner.replace(/^.*\|/, ''))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The entries of a fortune file (separated by lines of '%').
 * @example fortuneEntries('one\n%\ntwo\n') // ['one', 'two']
 */
export function fortuneEntries(text: string): string[] {
  return text.split(/^%\s*$/m).map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Documents from the GCIDE dictionary text (dictd format): entries grouped `perDoc` at a time, the
 * 1913 Webster markers dropped.
 * @example gcideDocs(dictText, 50)
 */
export function gcideDocs(text: string, perDoc = 50): string[] {
  const entries = text.split(/\n\n(?=\S)/).map((e) => e.replace(/\[(1913 Webster|Webster 1913 Suppl\.|PJC|WordNet 1\.5)\]/g, '').trim())
    .filter((e) => e.length > 0 && !e.startsWith('00-database'));
  const out: string[] = [];
  for (let i = 0; i < entries.length; i += perDoc) out.push(entries.slice(i, i + perDoc).join('\n\n'));
  return out;
}

/**
 * Documents from a WordNet data file (data.noun, ...): one line per synset, "lemma, lemma (pos): gloss",
 * `perDoc` synsets a document.
 * @example wordnetDocs('00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which exists', 'noun') // ['entity (noun): that which exists']
 */
export function wordnetDocs(data: string, pos: string, perDoc = 200): string[] {
  const lines: string[] = [];
  for (const line of data.split('\n')) {
    if (!/^\d{8} /.test(line)) continue; // the licence header lines start with spaces
    const bar = line.indexOf(' | ');
    if (bar < 0) continue;
    const f = line.slice(0, bar).split(' ');
    const n = parseInt(f[3], 16);
    const lemmas = Array.from({ length: n }, (_, i) => f[4 + 2 * i].replace(/_/g, ' ').replace(/\(.*\)$/, ''));
    lines.push(`${lemmas.join(', ')} (${pos}): ${line.slice(bar + 3).trim()}`);
  }
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += perDoc) out.push(lines.slice(i, i + perDoc).join('\n'));
  return out;
}

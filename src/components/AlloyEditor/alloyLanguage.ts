import type { Monaco, monacoTypes } from '@grafana/ui';

/** Monaco language id of the Alloy configuration syntax. */
export const ALLOY_LANGUAGE_ID = 'alloy';

/** Keywords of the Alloy syntax (the rest are identifiers). */
const KEYWORDS = ['true', 'false', 'null'];

/**
 * Tokenizer of the Alloy configuration syntax: blocks `name.parts "label" {`, attributes `key =`,
 * strings ("…" with escapes, `raw`), numbers, line and block comments, operators and punctuation.
 */
export const alloyMonarch: monacoTypes.languages.IMonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.alloy',
  keywords: KEYWORDS,
  operators: ['==', '!=', '<=', '>=', '<', '>', '&&', '||', '!', '+', '-', '*', '/', '%', '^', '='],
  symbols: /[=><!~?:&|+\-*/^%]+/,
  escapes: /\\(?:[abfnrtv\\"']|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{3})/,
  tokenizer: {
    root: [
      { include: '@whitespace' },
      // Block header: component or block name (dotted) followed by an optional label and "{".
      [/([a-zA-Z_][\w]*(?:\.[a-zA-Z_][\w]*)*)(\s*)(?=(?:"[^"]*"\s*)?\{)/, ['type.identifier', '']],
      // Attribute: name followed by "=" (but not "==").
      [/([a-zA-Z_][\w]*)(\s*)(=)(?!=)/, ['variable', '', 'operator']],
      // Function calls and references.
      [/[a-zA-Z_][\w]*(?=\s*\()/, 'predefined'],
      [/[a-zA-Z_][\w]*/, { cases: { '@keywords': 'keyword', '@default': 'identifier' } }],
      [/[{}()[\]]/, '@brackets'],
      [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
      [/\d+\.\d*([eE][-+]?\d+)?/, 'number.float'],
      [/\.\d+([eE][-+]?\d+)?/, 'number.float'],
      [/0[xX][0-9a-fA-F]+/, 'number.hex'],
      [/0[oO][0-7]+/, 'number.octal'],
      [/\d+([eE][-+]?\d+)?/, 'number'],
      [/[,.]/, 'delimiter'],
      [/"([^"\\]|\\.)*$/, 'string.invalid'],
      [/"/, 'string', '@string'],
      [/`/, 'string', '@rawstring'],
    ],
    whitespace: [
      [/[ \t\r\n]+/, ''],
      [/\/\*/, 'comment', '@comment'],
      [/\/\/.*$/, 'comment'],
    ],
    comment: [
      [/[^/*]+/, 'comment'],
      [/\*\//, 'comment', '@pop'],
      [/[/*]/, 'comment'],
    ],
    string: [
      [/[^\\"]+/, 'string'],
      [/@escapes/, 'string.escape'],
      [/\\./, 'string.escape.invalid'],
      [/"/, 'string', '@pop'],
    ],
    rawstring: [
      [/[^`]+/, 'string'],
      [/`/, 'string', '@pop'],
    ],
  },
};

/** Brackets, comments and auto-closing pairs. */
export const alloyConfiguration: monacoTypes.languages.LanguageConfiguration = {
  comments: { lineComment: '//', blockComment: ['/*', '*/'] },
  brackets: [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string'] },
    { open: '`', close: '`', notIn: ['string'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '"', close: '"' },
  ],
};

/** Registers the Alloy language with a Monaco instance (once). */
export function registerAlloyLanguage(monaco: Monaco): void {
  if (monaco.languages.getLanguages().some((l) => l.id === ALLOY_LANGUAGE_ID)) {
    return;
  }
  monaco.languages.register({ id: ALLOY_LANGUAGE_ID, extensions: ['.alloy'], aliases: ['Alloy', 'alloy'] });
  monaco.languages.setMonarchTokensProvider(ALLOY_LANGUAGE_ID, alloyMonarch);
  monaco.languages.setLanguageConfiguration(ALLOY_LANGUAGE_ID, alloyConfiguration);
}

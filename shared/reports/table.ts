import { csvCell, htmlText, mdCell } from './cells.js';

/** What a cell holds for machines (CSV, JSON): typed, unformatted. */
export type CellValue = string | number | boolean | null;

/**
 * One column, declared once for every format. `key` is the machine name (CSV header, JSON key:
 * stable, scripts depend on it); `header` is what a person reads (Markdown, HTML). `text` formats the
 * value for people when the raw value would not read well (`deleted after 4 min`).
 */
export interface Column<Row> {
  key: string;
  header: string;
  value: (row: Row) => CellValue;
  text?: (row: Row) => string;
  /** `machine`: CSV and JSON only (identifiers too long to read); `human`: Markdown and HTML only. */
  audience?: 'all' | 'machine' | 'human';
  /** Numbers are right-aligned in HTML. */
  numeric?: boolean;
  /**
   * How the HTML cell wraps: `keep` short values whole (an account id, a verdict), `anywhere` lets
   * long identifiers (names, ARNs, principals) break between any two characters so no column is cut,
   * `prose` is sentences: wide enough to read, an ARN inside them still breaks; `keep-wide` whole
   * on wide screens and paper, wrapped at spaces on narrow ones (a date and time).
   */
  wrap?: 'keep' | 'keep-wide' | 'anywhere' | 'prose';
  /** Left out of Markdown and HTML when no row has anything to show (`-`), e.g. state not looked up. */
  optional?: boolean;
  /**
   * The HTML cell's markup (a severity badge, a console link), built from escaped parts; its text
   * must read as `text` does. Without it, the cell is `text`, escaped.
   */
  html?: (row: Row) => string;
  /** The HTML page offers a filter on this column's values (account, verdict, severity, who). */
  filter?: boolean;
  /** What the page's script sorts this column by, when the text would sort wrong (`critical` before `high`). */
  sortKey?: (row: Row) => string;
}

/** A table: its columns, its rows (already in the order people should read them), a caption. */
export interface Table<Row> {
  id: string;
  caption: string;
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
  /** A CSS class per row (the verdict, the severity), so violations stand out on screen and on paper. */
  rowClass?: (row: Row) => string;
  /** Said instead of an empty table. */
  empty?: string;
}

/** Tables with more columns than this stack each row's cells on a narrow screen (no cut column at 800 px). */
const STACK_FROM = 9;
/** ...and with more than this, on any screen narrower than 1,400 px (14 columns do not fit 1,280 px). */
const WIDE_FROM = 11;

/** `keep` keeps a value whole only when it is short: a crafted 200-character "account" still wraps. */
const KEEP_MAX = 24;
const cellClass = <Row>(c: Column<Row>, text?: string) => {
  const wrap = (c.wrap === 'keep' || c.wrap === 'keep-wide') && text !== undefined && text.length > KEEP_MAX ? 'anywhere' : c.wrap;
  const classes = [c.numeric ? 'num' : '', wrap ?? ''].filter(Boolean).join(' ');
  return classes ? ` class="${classes}"` : '';
};
const raw = (value: CellValue): string => (value === null ? '' : String(value));
const value = <Row>(column: Column<Row>, row: Row): string => {
  const v = column.value(row);
  return v === null ? '-' : String(v);
};
const shown = <Row>(column: Column<Row>, row: Row): string => (column.text ? column.text(row) : value(column, row));
const forMachines = <Row>(table: Table<Row>) => table.columns.filter((c) => c.audience !== 'human');
const forPeople = <Row>(table: Table<Row>) =>
  table.columns.filter((c) => c.audience !== 'machine' && !(c.optional && table.rows.every((row) => ['', '-'].includes(shown(c, row)))));

/** JSON: one object per row, keyed by the columns' machine names, values typed. */
export function tableRecords<Row>(table: Table<Row>): Array<Record<string, CellValue>> {
  const columns = forMachines(table);
  return table.rows.map((row) => Object.fromEntries(columns.map((c) => [c.key, c.value(row)])));
}

/** CSV (RFC 4180, CRLF), machine names as the header, formula-looking cells defused. */
export function tableCsv<Row>(table: Table<Row>): string {
  const columns = forMachines(table);
  const lines = [columns.map((c) => csvCell(c.key)).join(','), ...table.rows.map((row) => columns.map((c) => csvCell(raw(c.value(row)))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A Markdown table with readable headers; every cell escaped (pipes, newlines, markup). */
export function tableMarkdown<Row>(table: Table<Row>): string {
  const columns = forPeople(table);
  if (table.rows.length === 0) return mdCell(table.empty ?? 'None.');
  return [
    `| ${columns.map((c) => mdCell(c.header)).join(' | ')} |`,
    `| ${columns.map((c) => (c.numeric ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${columns.map((c) => mdCell(shown(c, row))).join(' | ')} |`),
  ].join('\n');
}

/** An HTML table with readable headers; every cell escaped. Columns carry their key (`data-col`). */
export function tableHtml<Row>(table: Table<Row>): string {
  const columns = forPeople(table);
  if (table.rows.length === 0) return `<p class="empty" id="${htmlText(table.id)}">${htmlText(table.empty ?? 'None.')}</p>`;
  const head = columns
    .map((c) => `<th scope="col" data-col="${htmlText(c.key)}"${c.numeric ? ' class="num"' : ''}${c.filter ? ' data-filter=""' : ''}>${htmlText(c.header)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cls = table.rowClass?.(row);
      const cells = columns
        .map((c) => {
          const text = shown(c, row);
          // data-label: the header beside the value when a narrow screen stacks the row's cells.
          const sort = c.sortKey ? ` data-sort="${htmlText(c.sortKey(row))}"` : '';
          return `<td data-col="${htmlText(c.key)}" data-label="${htmlText(c.header)}"${sort}${cellClass(c, text)}>${c.html ? c.html(row) : htmlText(text)}</td>`;
        })
        .join('');
      return `<tr${cls ? ` class="${htmlText(cls)}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  // Wide tables stack their cells on narrow screens (the stylesheet); every table sorts on its headers (the page's script).
  const classes = ['sortable', columns.length > STACK_FROM ? 'stack' : '', columns.length > WIDE_FROM ? 'wide' : ''].filter(Boolean).join(' ');
  return `<table id="${htmlText(table.id)}" class="${classes}"><caption>${htmlText(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

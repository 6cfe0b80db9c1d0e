import type { Monaco, monacoTypes } from '@grafana/ui';
import type { Diagnostic } from '../../api/types';

/** Marker owner of the controller's validation. */
export const MARKER_OWNER = 'foundry-validate';

/**
 * Monaco markers at the diagnostics' line:col (1-based, as the engine reports them). A diagnostic
 * without a position (line 0) marks the first line; an empty range is widened to one character.
 */
export function toMarkers(
  monaco: Monaco,
  diagnostics: Diagnostic[],
  lineCount: number,
): monacoTypes.editor.IMarkerData[] {
  return diagnostics.map((d) => {
    const line = Math.min(Math.max(d.line || 1, 1), Math.max(lineCount, 1));
    const column = Math.max(d.column || 1, 1);
    let endLine = d.endLine && d.endLine >= line ? Math.min(d.endLine, Math.max(lineCount, 1)) : line;
    let endColumn = d.endColumn && (endLine > line || d.endColumn > column) ? d.endColumn : column + 1;
    if (!d.line) {
      endLine = line;
      endColumn = 1000;
    }
    return {
      severity: d.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
      message: d.message,
      startLineNumber: line,
      startColumn: column,
      endLineNumber: endLine,
      endColumn,
      source: 'Foundry',
    };
  });
}

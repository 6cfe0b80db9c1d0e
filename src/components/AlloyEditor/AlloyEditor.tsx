import React, { useEffect, useRef } from 'react';
import { CodeEditor, type Monaco, type MonacoEditor } from '@grafana/ui';
import type { Diagnostic } from '../../api/types';
import { ALLOY_LANGUAGE_ID, registerAlloyLanguage } from './alloyLanguage';
import { MARKER_OWNER, toMarkers } from './markers';

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Diagnostics to show as markers (from POST /validate). */
  diagnostics: Diagnostic[];
  readOnly?: boolean;
  height?: number | string;
  'data-testid'?: string;
}

/**
 * Grafana's CodeEditor (Monaco) with the Alloy language registered and the controller's diagnostics as
 * markers at their line:col.
 */
export function AlloyEditor({ value, onChange, diagnostics, readOnly, height = 420, ...rest }: Props) {
  const editorRef = useRef<{ editor: MonacoEditor; monaco: Monaco }>();

  const applyMarkers = (ds: Diagnostic[]) => {
    const current = editorRef.current;
    const model = current?.editor.getModel();
    if (!current || !model) {
      return;
    }
    current.monaco.editor.setModelMarkers(
      model,
      MARKER_OWNER,
      toMarkers(current.monaco, ds, model.getLineCount()),
    );
  };

  useEffect(() => {
    applyMarkers(diagnostics);
  }, [diagnostics]);

  return (
    <div data-testid={rest['data-testid']}>
      <CodeEditor
        value={value}
        language={ALLOY_LANGUAGE_ID}
        height={height}
        readOnly={readOnly}
        showLineNumbers
        showMiniMap={false}
        monacoOptions={{ scrollBeyondLastLine: false, tabSize: 2, renderValidationDecorations: 'on' }}
        onBeforeEditorMount={registerAlloyLanguage}
        onEditorDidMount={(editor, monaco) => {
          editorRef.current = { editor, monaco };
          applyMarkers(diagnostics);
        }}
        onChange={onChange}
      />
    </div>
  );
}

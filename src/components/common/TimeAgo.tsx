import React from 'react';
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';

/** "3 minutes ago", with the exact time as the tooltip; "—" for none. */
export function TimeAgo({ at }: { at: string | null | undefined }) {
  if (!at) {
    return <span>—</span>;
  }
  return (
    <time dateTime={at} title={dateTimeFormat(at)}>
      {dateTimeFormatTimeAgo(at)}
    </time>
  );
}

import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { Router, type Location } from 'react-router-dom';
import { LocationServiceProvider, locationService } from '@grafana/runtime';

interface V4History {
  location: Location;
  action: string;
  listen(cb: (location: Location, action: string) => void): () => void;
}

/**
 * react-router v6 driven by Grafana's locationService history (history v4), as Grafana's RouterWrapper
 * does: the plugin's <Link>s, useNavigate and locationService.push all move the same history.
 */
export function HostRouter({ children }: { children: ReactNode }) {
  // history v4: listen((location, action) => …), unlike v5's listen(({ location, action }) => …).
  const history = locationService.getHistory() as unknown as V4History;
  const [state, setState] = useState({ location: history.location, action: history.action });
  useLayoutEffect(() => history.listen((location, action) => setState({ location, action })), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router location={state.location} navigationType={state.action as never} navigator={history as never}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

/**
 * Grafana handles clicks on same-origin links itself (no page load); so does the host, for links the
 * plugin renders as plain anchors (LinkButton href, TextLink).
 */
export function interceptLinkClicks(): void {
  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    const anchor = (event.target as Element | null)?.closest?.('a');
    const href = anchor?.getAttribute('href');
    if (!anchor || !href || anchor.target === '_blank' || anchor.hasAttribute('download')) {
      return;
    }
    const url = new URL(href, document.baseURI);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) {
      return;
    }
    event.preventDefault();
    locationService.push(url.pathname + url.search + url.hash);
  });
}

/**
 * The host's page chrome, standing in for Grafana's: a banner saying what this is, the app's pages from
 * plugin.json (as Grafana's menu lists them), a PluginPage with breadcrumbs, title, subtitle and
 * actions, and toasts for the app events plugins publish.
 */
import React, { useEffect, useState, type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import { AppEvents, type GrafanaTheme2, type NavModelItem, type PluginMeta } from '@grafana/data';
import { getAppEvents, locationService, type PluginPageProps } from '@grafana/runtime';
import { Alert, Icon, useStyles2, type IconName } from '@grafana/ui';

export const HOST_TITLE = 'Foundry standalone plugin host (not Grafana)';

function breadcrumbs(nav: NavModelItem | undefined): NavModelItem[] {
  const out: NavModelItem[] = [];
  for (let n = nav; n; n = n.parentItem) {
    out.unshift(n);
  }
  return out;
}

/** PluginPage as Grafana renders it, reduced: breadcrumbs, title, subtitle, actions, then the page. */
export function HostPluginPage({ pageNav, subTitle, actions, children }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const crumbs = breadcrumbs(pageNav);
  const title = pageNav?.text;
  return (
    <div className={styles.page}>
      {crumbs.length > 1 && (
        <nav className={styles.crumbs} aria-label="Breadcrumbs">
          {crumbs.slice(0, -1).map((c) => (
            <span key={c.text}>
              {c.url ? <a href={c.url}>{c.text}</a> : c.text}
              <Icon name="angle-right" />
            </span>
          ))}
          <span>{title}</span>
        </nav>
      )}
      {(title || actions) && (
        <div className={styles.header}>
          <div>
            {title && <h1 className={styles.title}>{title}</h1>}
            {subTitle && <div className={styles.subTitle}>{subTitle}</div>}
          </div>
          {actions && <div className={styles.actions}>{actions}</div>}
        </div>
      )}
      {children}
    </div>
  );
}

interface Toast {
  id: number;
  severity: 'success' | 'error' | 'warning' | 'info';
  text: string;
}

/** Shows the alert events plugins publish with getAppEvents() (Grafana's toasts). */
function Toasts() {
  const styles = useStyles2(getStyles);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let n = 0;
    const bus = getAppEvents();
    const add = (severity: Toast['severity']) => (payload: unknown) => {
      const parts = Array.isArray(payload) ? payload : [payload];
      const text = parts.filter((p) => typeof p === 'string').join(': ') || String(parts[0] ?? '');
      const id = ++n;
      setToasts((t) => [...t, { id, severity, text }]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), severity === 'error' ? 10_000 : 6_000);
    };
    const subs = [
      bus.subscribe({ type: AppEvents.alertSuccess.name } as never, (e: { payload?: unknown }) =>
        add('success')(e.payload),
      ),
      bus.subscribe({ type: AppEvents.alertError.name } as never, (e: { payload?: unknown }) =>
        add('error')(e.payload),
      ),
      bus.subscribe({ type: AppEvents.alertWarning.name } as never, (e: { payload?: unknown }) =>
        add('warning')(e.payload),
      ),
    ];
    return () => subs.forEach((s) => s.unsubscribe());
  }, []);
  return (
    <div className={styles.toasts} role="status" aria-live="polite">
      {toasts.map((t) => (
        <Alert
          key={t.id}
          severity={t.severity}
          title={t.text}
          data-testid="data-testid host-toast"
          onRemove={() => setToasts((all) => all.filter((x) => x.id !== t.id))}
        />
      ))}
    </div>
  );
}

/** Banner, the app's pages (plugin.json includes with addToNav), the content, toasts. */
export function HostChrome({
  meta,
  path,
  children,
}: {
  meta: PluginMeta;
  path: string;
  children: ReactNode;
}) {
  const styles = useStyles2(getStyles);
  const pages = (meta.includes ?? []).filter(
    (i) => i.addToNav && (i.type === 'page' || i.type === 'dashboard'),
  );
  return (
    <div className={styles.shell}>
      <header className={styles.banner} data-testid="data-testid host-banner">
        <Icon name="exclamation-triangle" />
        <strong>{HOST_TITLE}</strong>
        <span className={styles.bannerNote}>
          Serves the {meta.name} plugin with the real @grafana/ui and emulates Grafana&apos;s plugin settings
          and plugin proxy — for tests and demos. Install the plugin in Grafana for real use.
        </span>
      </header>
      <div className={styles.body}>
        <nav className={styles.menu} aria-label="App pages">
          <div className={styles.appName}>
            <img src={`public/plugins/${meta.id}/img/logo.svg`} alt="" width={20} height={20} /> {meta.name}
          </div>
          {pages.map((p) => {
            const href = (p.path ?? '').replace('%PLUGIN_ID%', meta.id);
            const isDashboard = p.type === 'dashboard';
            const active = !isDashboard && (path === href || path.startsWith(`${href}/`));
            return isDashboard ? (
              <span
                key={p.name}
                className={cx(styles.item, styles.disabled)}
                title="Dashboards need Grafana: this host has no dashboards"
              >
                <Icon name="apps" /> {p.name}
              </span>
            ) : (
              <a
                key={p.name}
                href={href}
                className={cx(styles.item, active && styles.active)}
                onClick={(e) => {
                  e.preventDefault();
                  locationService.push(href);
                }}
              >
                <Icon name={(p.icon as IconName) ?? 'file-alt'} /> {p.name}
              </a>
            );
          })}
        </nav>
        <main className={styles.main}>{children}</main>
      </div>
      <Toasts />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  shell: css({
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    background: theme.colors.background.canvas,
  }),
  banner: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0.75, 2),
    background: theme.colors.warning.transparent,
    borderBottom: `1px solid ${theme.colors.warning.border}`,
    color: theme.colors.warning.text,
  }),
  bannerNote: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  body: css({ display: 'flex', flex: 1, minHeight: 0 }),
  menu: css({
    width: 220,
    flexShrink: 0,
    padding: theme.spacing(2, 1),
    borderRight: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  appName: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    fontWeight: theme.typography.fontWeightMedium,
    padding: theme.spacing(0, 1, 1),
  }),
  item: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0.75, 1),
    borderRadius: theme.shape.radius.default,
    color: theme.colors.text.secondary,
    '&:hover': { background: theme.colors.action.hover, color: theme.colors.text.primary },
  }),
  active: css({
    color: theme.colors.text.primary,
    background: theme.colors.action.selected,
    borderLeft: `2px solid ${theme.colors.primary.main}`,
  }),
  disabled: css({ opacity: 0.6, cursor: 'not-allowed' }),
  main: css({ flex: 1, minWidth: 0, padding: theme.spacing(2, 3), overflow: 'auto' }),
  page: css({ maxWidth: 1600 }),
  crumbs: css({
    display: 'flex',
    gap: theme.spacing(0.5),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginBottom: theme.spacing(1),
    a: { color: theme.colors.text.link },
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  title: css({ margin: 0 }),
  subTitle: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
  actions: css({ display: 'flex', gap: theme.spacing(1) }),
  toasts: css({
    position: 'fixed',
    top: theme.spacing(6),
    right: theme.spacing(2),
    width: 420,
    zIndex: theme.zIndex.portal,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
});

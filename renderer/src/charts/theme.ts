import { ColorType, CrosshairMode, type ChartOptions, type DeepPartial } from 'lightweight-charts';

/** Reads the current theme's CSS variables (dark by default) for chart options. */
export function chartColors() {
  const css = typeof document !== 'undefined' ? getComputedStyle(document.body) : null;
  const v = (name: string, fallback: string) => css?.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--bg', '#0b0e14'),
    text: v('--text-dim', '#8a93a6'),
    grid: v('--grid', '#1a1f29'),
    border: v('--border', '#262d3a'),
    up: v('--up', '#26a69a'),
    down: v('--down', '#ef5350'),
    accent: v('--accent', '#f0a500'),
    accent2: v('--accent-2', '#2f81f7'),
  };
}

/** Palette for overlay and pane lines, in the order indicators are added. */
export const LINE_COLORS = ['#f0a500', '#2f81f7', '#ab47bc', '#26c6da', '#ff7043', '#9ccc65', '#ec407a', '#8d6e63'];

/** Common options: dense, dark, crosshair in normal mode, autosized to the host. */
export function baseChartOptions(): DeepPartial<ChartOptions> {
  const c = chartColors();
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: c.bg },
      textColor: c.text,
      fontSize: 11,
      fontFamily: "'JetBrains Mono', Menlo, Consolas, monospace",
      attributionLogo: false,
      panes: { separatorColor: c.border, separatorHoverColor: c.border, enableResize: true },
    },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: c.border },
    // A low minimum bar spacing lets fitContent show 20 years of daily bars in a few hundred pixels.
    timeScale: { borderColor: c.border, timeVisible: false, secondsVisible: false, minBarSpacing: 0.05 },
  };
}

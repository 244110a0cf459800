/**
 * The uPlot wrapper: the plot is built once when mounted, then each new `data` is applied with
 * `setData` in place (no rebuild, no flicker); it follows its box's width. Where no canvas is
 * available (jsdom), it renders its frame only.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './series.js';

export interface ChartSeries {
  label: string;
  color: string;
}

export interface ChartProps {
  title: string;
  series: ChartSeries[];
  data: ChartData;
  height?: number;
  /** Unit shown on the y axis (`/s`, `s`). */
  unit?: string;
}

/**
 * Before the second sample: a minute of axis ending at the sample (or now), so the time axis
 * reads sensibly (uPlot spreads a lone x value over years).
 */
function orEmpty(data: ChartData): ChartData {
  if (data[0].length > 1) return data;
  const end = data[0].length === 1 ? (data[0][0] as number) : Date.now() / 1000;
  return [
    [end - 60, end],
    ...data.slice(1).map((ys) => [null, ys.length === 1 ? ys[0] : null]),
  ] as ChartData;
}

function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export function Chart({ title, series, data, height = 160, unit = '' }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || !canDraw()) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { size: 50, values: (_u, vals) => vals.map((v) => `${+v.toFixed(2)}${unit}`) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          points: { show: false },
        })),
      ],
    };
    const p = new uPlot(opts, orEmpty(data) as uPlot.AlignedData, el);
    plot.current = p;
    const ro =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver(() => {
            p.setSize({ width: Math.max(200, el.clientWidth), height });
          });
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      p.destroy();
      plot.current = null;
    };
    // Built once: series and height are fixed for the life of a chart.
  }, []);

  useEffect(() => {
    plot.current?.setData(orEmpty(data) as uPlot.AlignedData);
  }, [data, data[0].length]);

  return (
    <figure
      class="chart"
      data-chart={title}
      data-points={data[0].length}
      data-last={String(data[1]?.at(-1) ?? '')}
    >
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}

/** One line (or histogram) of an indicator, as parallel columns with the bars' time. */
export interface IndicatorLine {
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly color: string;
  readonly style?: 'line' | 'histogram';
}

/** A computed indicator ready to draw: on the price pane (overlay) or in its own lower pane. */
export interface DrawnIndicator {
  readonly id: string;
  readonly label: string;
  readonly placement: 'overlay' | 'pane';
  readonly time: ArrayLike<number>;
  readonly lines: readonly IndicatorLine[];
  /** Reference levels drawn as dashed lines in the pane (RSI 30/70, Stochastic 20/80). */
  readonly levels?: readonly number[];
  /**
   * Ichimoku only: its base (kijun) period. Spans A and B are drawn that many bars ahead with the cloud filled
   * between them, and the lagging span (the close) that many bars back.
   */
  readonly displace?: number;
}

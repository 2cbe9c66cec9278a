import { Component, type ReactNode } from 'react';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  readonly name: string;
  readonly children: ReactNode;
}

/** One per view: a render error becomes a message and a retry button, never a blank screen. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="view-error">
          <ErrorBanner
            error={{ code: 'internal', message: `${this.props.name} view failed: ${this.state.error.message}` }}
          />
          <button className="btn" onClick={() => this.setState({ error: null })}>
            Retry
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

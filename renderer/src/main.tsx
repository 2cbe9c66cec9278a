import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getConnectionState, installApi, onConnectionChange } from './api/install';
import { App } from './App';
import { onConnected, setConnection } from './stores/connection-store';
import './styles.css';

function boot(): void {
  try {
    installApi();
  } catch (e) {
    setConnection('disconnected', (e as Error).message);
  }
  onConnectionChange((state) => {
    setConnection(state);
    if (state === 'connected') void onConnected();
  });
  const state = getConnectionState();
  setConnection(state);
  if (state === 'connected') void onConnected();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

boot();

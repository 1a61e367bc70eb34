import '@mantine/core/styles.css';
import './console.css';
import { createTheme, type CSSVariablesResolver, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client';
import { App } from './App';

// Shade 8 and automatic text contrast: filled buttons and badges stay readable (WCAG AA) in both themes.
const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  luminanceThreshold: 0.4,
  fontFamily: 'system-ui, "Liberation Sans", sans-serif',
  fontFamilyMonospace: '"Liberation Mono", ui-monospace, monospace',
});

// Secondary text dark enough for WCAG AA contrast (the library's default grey is not, on white).
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});

const client = new QueryClient({
  defaultOptions: {
    // Fresh data comes from the live stream; no refetch on focus, no timer.
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={resolver}>
      <QueryClientProvider client={client}>
        <App client={client} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

import '@mantine/core/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client';
import { App } from './App';

const theme = createTheme({ primaryColor: 'blue', fontFamily: 'system-ui, "Liberation Sans", sans-serif', fontFamilyMonospace: '"Liberation Mono", ui-monospace, monospace' });

const client = new QueryClient({
  defaultOptions: {
    // Fresh data comes from the live stream; no refetch on focus, no timer.
    queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2 },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={client}>
        <App client={client} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

// The e2e tier starts the whole mesh as processes.
jest.setTimeout(300_000);

// Int and e2e tests talk to real brokers and databases: allow for a consumer-group rebalance.
jest.setTimeout(120_000);

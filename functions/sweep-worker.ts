import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createSweepWorkerHandler } from '../shared/lambda/sweep-fanout-handler.js';

// Read once per cold start: a bad setting fails the start-up with its name.
export const handler = createSweepWorkerHandler({ config: loadConfig({ env: process.env }), clients: createAwsClients() });

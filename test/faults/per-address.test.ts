import { defineFanOutCases, definePartialFailureCases } from './matrix';

describe('Periskope per-participant failures', () => definePartialFailureCases());
describe('fan-out under faults', () => defineFanOutCases());

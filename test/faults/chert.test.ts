import { defineFaultMatrix } from './matrix';

defineFaultMatrix('chert');

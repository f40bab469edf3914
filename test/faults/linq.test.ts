import { defineFaultMatrix } from './matrix';

defineFaultMatrix('linq');

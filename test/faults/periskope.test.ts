import { defineFaultMatrix } from './matrix';

defineFaultMatrix('periskope');

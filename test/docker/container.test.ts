// Sessions as plain containers on the real Docker engine (one container per session).
import { containerSuite } from './suite.js';

containerSuite('container');

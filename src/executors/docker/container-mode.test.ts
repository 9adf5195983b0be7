import { dockerExecutorSuite } from '../../testing/docker-suite.js';

dockerExecutorSuite('container');

/** Resuming: what the earlier attempts of a retried or preempted session left (artifacts, generations). */
export { type ResumeDeps, ResumeService } from './service.js';

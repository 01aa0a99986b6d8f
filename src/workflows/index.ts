/** The workflows this worker runs (the bundle's entry point). */
export { offboardTenant } from './offboard-tenant';
export { offboardingControls } from './controls';

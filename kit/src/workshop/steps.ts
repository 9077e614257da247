// The workshop's step list lives in shared/ (the CLI, the author checks and the slides all read steps/workshop.json).
export * from '@workshop/shared/workshop-steps';

"""The jobs function: periodic work started by EventBridge schedules."""

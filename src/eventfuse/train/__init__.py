"""Training scripts for the models eventfuse ships (make train)."""

"""Daily hand-over of cash and documents (交款交账, seed 001) and day close (关账)."""

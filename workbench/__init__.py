"""Web pages for office staff (issue 15 builds the workbench; issue 14 brings its first page:
an approver's own approval page, opened from a DingTalk card or 待办)."""

"""Reading text: decoding files, splitting sentences (Korean endings, optional cuts)."""

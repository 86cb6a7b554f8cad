"""Shared AWS building blocks: IAM policy documents (:mod:`.iam`), and (as they land) one secure
bucket and one KMS key helper, so no component assembles them by hand."""

"""Shared AWS building blocks, so no component assembles them by hand: IAM policy documents
(:mod:`.iam`), one secure bucket (:mod:`.bucket`), one KMS key with an explicit key policy
(:mod:`.kms`), id and ARN format checks (:mod:`.formats`) and the deployer's ingress rules
(:mod:`.deployer_access`)."""

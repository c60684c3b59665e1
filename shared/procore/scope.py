"""Where a Procore call is aimed: a company's documents, or one project in a company.

One client-credentials app (DMSA) spans every company it is installed in (API-NOTES A1), so the
company is part of every call (the `Procore-Company-Id` header), not of the client. Documents
exist at project and at company level; their endpoints take a project id or a company id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """A company (company-level documents) or a project within a company."""

    company_id: int
    project_id: int | None = None

    @classmethod
    def project(cls, company_id: int, project_id: int) -> Scope:
        return cls(company_id=company_id, project_id=project_id)

    @classmethod
    def company(cls, company_id: int) -> Scope:
        return cls(company_id=company_id)

    @property
    def is_company(self) -> bool:
        return self.project_id is None

    def require_project(self) -> int:
        """The project id, for tools that exist only at project level."""
        if self.project_id is None:
            raise ValueError(f"this operation needs a project, not company {self.company_id} alone")
        return self.project_id

from yiwang.cases import actions
from yiwang.cases.choices import CaseStatus
from yiwang.cases.tests.conftest import submit


def test_path(personas, staff, version):
    case = submit(personas.citizen, version)
    assert case.status == CaseStatus.SUBMITTED
    case = actions.receive_case(actor=staff.clerk, case=case)
    case = actions.accept_case(actor=staff.clerk, case=case)
    case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
    case = actions.decide_case(actor=staff.approver, case=case, granted=True)
    case = actions.issue_result(actor=staff.approver, case=case)
    case = actions.start_delivery(actor=staff.clerk, case=case)
    case = actions.complete_case(actor=staff.clerk, case=case)
    assert case.status == CaseStatus.COMPLETED
    print(case.project_no, case.promise_date, case.accept_doc_no)

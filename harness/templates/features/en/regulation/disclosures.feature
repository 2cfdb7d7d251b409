@regulation @REQ-SALES-DISCLOSURES
Feature: Sales pages disclose what the online-insurance rules require (监管办法, 销售办法)
  What a compliance officer checks on the sales pages before launch, measured on arrival at
  every screen of the same journeys (nothing is driven twice). The sales pages are the screens
  up to the payment; the payment-success page is not one. 监管办法 is 《互联网保险业务监管办法》
  (2021), 销售办法 is 《保险销售行为管理办法》 (2024).

  The journey file's [regulation] table says where a store shows each thing (its own wording or
  selector). What it names and no screen shows is a failure; what the default wording finds
  nowhere is inconclusive, saying what was looked for, never passed.

  @critical @REQ-SERVICE-CONTACT @ART-IIB-13
  Scenario Outline: The sales pages of <product> show the service phone and an online service entry
    监管办法 art. 13: the customer-service phone and an online service entry are shown
    prominently. A number shown only in an image counts when the image's alt text states it.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then a customer-service phone number and an online service entry are shown on every screen before payment

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @critical @REQ-KEY-FACTS @ART-IIB-14 @ART-ISB-25
  Scenario Outline: The key facts of <product> are shown before payment
    监管办法 art. 14 and 销售办法 art. 25: the product name with its filing number or clause
    code, the premium, the waiting period and the cooling-off period are shown before purchase.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the product name with its filing number or clause code, the premium, the waiting period and the cooling-off period are shown before payment

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @critical @REQ-INSURER-NAMED @ART-IIB-15
  Scenario Outline: The insurer of <product> is named on the sales pages
    监管办法 art. 15: the insurance company that carries the risk is named.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the insurer is named before payment

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @critical @REQ-SELLER-NAMED @ART-ISB-24
  Scenario Outline: The seller of <product> is named on the sales pages
    销售办法 art. 24: the institution selling the insurance online shows its name.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the seller is named before payment

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @critical @REQ-SURRENDER-TERMS @ART-ISB-40
  Scenario Outline: The surrender conditions and time limits of <product> are stated before signing
    销售办法 art. 40: the conditions and time limits of a surrender are disclosed before the
    contract is signed (a refund, deduction, cash value or fee, and a number of days).

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the surrender conditions and time limits are stated before payment

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @blocker @REQ-RENEWAL-CONSENT @ART-IIB-21
  Scenario Outline: <product> renews automatically only with the buyer's own consent
    监管办法 art. 21: no automatic renewal without the buyer's consent. An automatic-renewal box
    is unticked on arrival, also when hidden in a collapsed section; a page that says the policy
    renews automatically offers such a box.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then automatic renewal is never chosen for the buyer and is offered only as a box the buyer ticks

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @critical @REQ-UNCERTAINTY @ART-IIB-14
  Scenario Outline: The uncertainty statement of <product> is bold and no smaller than the product name
    监管办法 art. 14: for products whose benefits are not guaranteed, 「保单利益具有不确定性」 is
    shown in bold type no smaller than the product name. Products the journey file declares
    guaranteed (benefits = "guaranteed") and that say nothing of it are not concerned.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the uncertainty statement has a font weight of at least 600 and is at least 1 times the size of the product name

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}
